package dev.anomaly.detector.config;

import dev.anomaly.schemas.config.ToolConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.time.Duration;

/**
 * The limits that keep one bad record, model or dependency from stopping the detector (docs/detector.md, "Failure
 * modes").
 *
 * @param batchMaxBytes      a batch is scored once its values add up to this many bytes, even if not full
 * @param scoringTimeout     longest a stream thread waits for a batch being scored elsewhere; then the model call counts as stuck
 * @param stallTimeout       a stream thread with tasks that has not ticked for this long makes the detector not ready
 * @param probationRecords   records a new model must score before the previous one is closed (it serves again if the new
 *                           one fails before that); 0: no probation
 * @param deadLetterMaxBytes largest dead letter; 0: the smaller of the producer's max.request.size and the dead-letter
 *                           topic's max.message.bytes, found at start-up
 * @param modelMaxBytes      largest model release accepted from the models topic
 * @param registryWait       longest a batch waits in place for an unreachable schema registry before its task fails
 */
public record Guards(long batchMaxBytes, Duration scoringTimeout, Duration stallTimeout, long probationRecords,
                     int deadLetterMaxBytes, int modelMaxBytes, Duration registryWait) {
    public static final String BATCH_MAX_BYTES = "detector.batch.max.bytes";
    public static final String SCORING_TIMEOUT_MS = "detector.scoring.timeout.ms";
    public static final String STALL_MS = "detector.stall.ms";
    public static final String PROBATION_RECORDS = "detector.model.probation.records";
    public static final String DEADLETTER_MAX_BYTES = "detector.deadletter.max.bytes";
    public static final String MODEL_MAX_BYTES = "detector.models.max.bytes";
    public static final String REGISTRY_WAIT_MS = "detector.registry.wait.ms";

    /** Adds these keys to the detector's definition. */
    static ConfigDef define(ConfigDef d) {
        return d.define(BATCH_MAX_BYTES, Type.INT, 33_554_432, Range.atLeast(1024), Importance.MEDIUM,
                        "Score a batch once its record values add up to this many bytes, even before it is full.")
                .define(SCORING_TIMEOUT_MS, Type.INT, 30_000, Range.atLeast(100), Importance.MEDIUM,
                        "Longest wait for a batch being scored on a scoring thread; then the model call counts as stuck (task fails, /health not live).")
                .define(STALL_MS, Type.INT, 30_000, Range.atLeast(1000), Importance.MEDIUM,
                        "A stream thread that has not made progress for this long makes /health/ready fail.")
                .define(PROBATION_RECORDS, Type.INT, 10_000, Range.atLeast(0), Importance.MEDIUM,
                        "Records a new model scores before the previous one is closed; if it throws or scores NaN before that, the previous one serves again. 0: none.")
                .define(DEADLETTER_MAX_BYTES, Type.INT, 0, Range.atLeast(0), Importance.LOW,
                        "Largest dead letter (bigger ones keep a prefix of the value); 0: the smaller of max.request.size and the topic's max.message.bytes.")
                .define(MODEL_MAX_BYTES, Type.INT, 67_108_864, Range.atLeast(1024), Importance.LOW,
                        "Largest model release accepted from the models topic.")
                .define(REGISTRY_WAIT_MS, Type.INT, 120_000, Range.atLeast(0), Importance.MEDIUM,
                        "Longest a batch waits in place for an unreachable schema registry (its records are never dead-lettered for it); then the stream thread is replaced and the batch read again.");
    }

    static Guards of(ToolConfig.Values v) {
        return new Guards(v.integer(BATCH_MAX_BYTES), Duration.ofMillis(v.integer(SCORING_TIMEOUT_MS)), Duration.ofMillis(v.integer(STALL_MS)),
                v.integer(PROBATION_RECORDS), v.integer(DEADLETTER_MAX_BYTES), v.integer(MODEL_MAX_BYTES),
                Duration.ofMillis(v.integer(REGISTRY_WAIT_MS)));
    }
}
