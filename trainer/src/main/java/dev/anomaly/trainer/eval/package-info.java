/**
 * Threshold calibration and evaluation metrics (AUROC, AUPRC, precision and recall at the threshold).
 */
package dev.anomaly.trainer.eval;
