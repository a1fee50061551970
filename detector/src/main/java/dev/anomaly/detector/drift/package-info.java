/**
 * Drift of scores and features against the model's training baseline: one class per statistic behind {@link
 * dev.anomaly.detector.drift.DriftStatistic}, registered in {@link dev.anomaly.detector.drift.DriftStatistics},
 * and the monitor that turns windows into {@code DriftEvent}s.
 */
package dev.anomaly.detector.drift;
