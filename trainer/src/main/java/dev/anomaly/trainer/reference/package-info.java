/**
 * Reference detectors the evaluation runs beside ours on the same splits: IsolationForest, kNN and PCA, written plainly
 * as in scikit-learn / PyOD's defaults. Evaluation only; never part of a model.
 */
package dev.anomaly.trainer.reference;
