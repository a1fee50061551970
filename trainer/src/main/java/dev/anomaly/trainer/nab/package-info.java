/**
 * The Numenta Anomaly Benchmark's scoring: windows, the scaled sigmoid, profiles, the null and perfect detectors'
 * normalisation and the threshold sweep, as NAB's own scorer computes them.
 */
package dev.anomaly.trainer.nab;
