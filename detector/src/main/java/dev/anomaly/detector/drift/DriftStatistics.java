package dev.anomaly.detector.drift;

import dev.anomaly.detector.config.DriftSettings;

import java.util.List;

/** The registry of drift statistics: the one place a new one is added (with its threshold's setting). */
public final class DriftStatistics {
    private DriftStatistics() {
    }

    /** Every statistic the detector measures, with the thresholds configured for it. */
    public static List<DriftStatistic> configured(DriftSettings settings) {
        return List.of(new PopulationStabilityIndex(settings.psiThreshold()), new KolmogorovSmirnov(settings.ksThreshold()));
    }
}
