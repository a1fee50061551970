/**
 * The retraining job: drift events in, a candidate trained on recent records, validated against the serving model,
 * published as the next version.
 */
package dev.anomaly.trainer.retrain;
