package dev.anomaly.detector.config;

import dev.anomaly.schemas.config.ToolConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.time.Duration;

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

    /** Adds these keys to the detector's definition. */
    static ConfigDef define(ConfigDef d) {
        return d.define(ENABLED, Type.BOOLEAN, true, Importance.MEDIUM, "Watch score and feature drift against the model's baseline.")
                .define(TOPIC, Type.STRING, "anomaly-drift", Importance.MEDIUM, "Topic for DriftEvent records.")
                .define(WINDOW_RECORDS, Type.INT, 5000, Range.between(100, 10_000_000), Importance.MEDIUM,
                        "Scored records per drift window (per stream task).")
                .define(WINDOW_MS, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                        "Also close a window once it spans this much event time (and holds at least 100 records); 0: by count only.")
                .define(PSI_THRESHOLD, Type.DOUBLE, 0.25, Range.between(0.0001, 100), Importance.MEDIUM,
                        "Population stability index above which a distribution has drifted (0.1 moderate, 0.25 major).")
                .define(KS_THRESHOLD, Type.DOUBLE, 0.2, Range.between(0.0001, 1), Importance.MEDIUM,
                        "Kolmogorov-Smirnov distance above which a distribution has drifted.")
                .define(ALERT_RATE_FACTOR, Type.DOUBLE, 5.0, Range.between(1, 10_000), Importance.MEDIUM,
                        "Alert rate above this multiple of the calibrated rate counts as drift.")
                .define(MIN_INTERVAL_MS, Type.INT, 60_000, Range.atLeast(0), Importance.LOW,
                        "At most one drift event per model and task in this interval.");
    }

    static DriftSettings of(ToolConfig.Values v) {
        return new DriftSettings(v.bool(ENABLED), v.string(TOPIC), v.integer(WINDOW_RECORDS), Duration.ofMillis(v.integer(WINDOW_MS)),
                v.decimal(PSI_THRESHOLD), v.decimal(KS_THRESHOLD), v.decimal(ALERT_RATE_FACTOR), Duration.ofMillis(v.integer(MIN_INTERVAL_MS)));
    }
}
