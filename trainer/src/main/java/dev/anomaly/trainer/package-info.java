/**
 * The jobs: train, calibrate and export one model ({@link dev.anomaly.trainer.TrainingJob}) and the ADBench
 * evaluation protocol.
 */
package dev.anomaly.trainer;
