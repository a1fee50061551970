package dev.anomaly.detector.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

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

    static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put(BATCH_MAX_BYTES, new String[]{"33554432", "Score a batch once its record values add up to this many bytes, even before it is full."});
        k.put(SCORING_TIMEOUT_MS, new String[]{"30000", "Longest wait for a batch being scored on a scoring thread; then the model call counts as stuck (task fails, /health not live)."});
        k.put(STALL_MS, new String[]{"30000", "A stream thread that has not made progress for this long makes /health/ready fail."});
        k.put(PROBATION_RECORDS, new String[]{"10000", "Records a new model scores before the previous one is closed; if it throws or scores NaN before that, the previous one serves again. 0: none."});
        k.put(DEADLETTER_MAX_BYTES, new String[]{"0", "Largest dead letter (bigger ones keep a prefix of the value); 0: the smaller of max.request.size and the topic's max.message.bytes."});
        k.put(MODEL_MAX_BYTES, new String[]{"67108864", "Largest model release accepted from the models topic."});
        k.put(REGISTRY_WAIT_MS, new String[]{"120000", "Longest a batch waits in place for an unreachable schema registry (its records are never dead-lettered for it); then the stream thread is replaced and the batch read again."});
        return k;
    }

    static Guards fromMap(Map<String, String> m) {
        return new Guards(DetectorConfig.intIn(m, BATCH_MAX_BYTES, 1024, Integer.MAX_VALUE),
                Duration.ofMillis(DetectorConfig.intIn(m, SCORING_TIMEOUT_MS, 100, Integer.MAX_VALUE)),
                Duration.ofMillis(DetectorConfig.intIn(m, STALL_MS, 1000, Integer.MAX_VALUE)),
                DetectorConfig.intIn(m, PROBATION_RECORDS, 0, Integer.MAX_VALUE),
                DetectorConfig.intIn(m, DEADLETTER_MAX_BYTES, 0, Integer.MAX_VALUE),
                DetectorConfig.intIn(m, MODEL_MAX_BYTES, 1024, Integer.MAX_VALUE),
                Duration.ofMillis(DetectorConfig.intIn(m, REGISTRY_WAIT_MS, 0, Integer.MAX_VALUE)));
    }
}
