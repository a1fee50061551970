package dev.anomaly.detector.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drift watching: a window of {@code windowRecords} scored records per task (or of {@code windowTime} event time, when
 * set) is compared with the model's training baseline; see docs/drift.md.
 */
public record DriftSettings(boolean enabled, String topic, int windowRecords, Duration windowTime, double psiThreshold,
                            double ksThreshold, double alertRateFactor, Duration minInterval) {
    public static final String ENABLED = "detector.drift.enabled";
    public static final String TOPIC = "detector.drift.topic";
    public static final String WINDOW_RECORDS = "detector.drift.window.records";
    public static final String WINDOW_MS = "detector.drift.window.ms";
    public static final String PSI_THRESHOLD = "detector.drift.psi.threshold";
    public static final String KS_THRESHOLD = "detector.drift.ks.threshold";
    public static final String ALERT_RATE_FACTOR = "detector.drift.alert.rate.factor";
    public static final String MIN_INTERVAL_MS = "detector.drift.min.interval.ms";

    static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put(ENABLED, new String[]{"true", "Watch score and feature drift against the model's baseline."});
        k.put(TOPIC, new String[]{"anomaly-drift", "Topic for DriftEvent records."});
        k.put(WINDOW_RECORDS, new String[]{"5000", "Scored records per drift window (per stream task)."});
        k.put(WINDOW_MS, new String[]{"0", "Also close a window once it spans this much event time (and holds at least 100 records); 0: by count only."});
        k.put(PSI_THRESHOLD, new String[]{"0.25", "Population stability index above which a distribution has drifted (0.1 moderate, 0.25 major)."});
        k.put(KS_THRESHOLD, new String[]{"0.2", "Kolmogorov-Smirnov distance above which a distribution has drifted."});
        k.put(ALERT_RATE_FACTOR, new String[]{"5", "Alert rate above this multiple of the calibrated rate counts as drift."});
        k.put(MIN_INTERVAL_MS, new String[]{"60000", "At most one drift event per model and task in this interval."});
        return k;
    }

    static DriftSettings fromMap(Map<String, String> m) {
        return new DriftSettings(DetectorConfig.bool(m, ENABLED), DetectorConfig.get(m, TOPIC),
                DetectorConfig.intIn(m, WINDOW_RECORDS, 100, 10_000_000),
                Duration.ofMillis(DetectorConfig.intIn(m, WINDOW_MS, 0, Integer.MAX_VALUE)),
                DetectorConfig.doubleIn(m, PSI_THRESHOLD, 0.0001, 100), DetectorConfig.doubleIn(m, KS_THRESHOLD, 0.0001, 1),
                DetectorConfig.doubleIn(m, ALERT_RATE_FACTOR, 1, 10_000),
                Duration.ofMillis(DetectorConfig.intIn(m, MIN_INTERVAL_MS, 0, Integer.MAX_VALUE)));
    }
}
