package dev.anomaly.detector.topology;

/** Headers added to every dead-letter record (the original key, value and headers are kept unchanged). */
public final class DeadLetters {
    /** Stable reason code: a WireFormatException or FeatureExtractionException reason, or TOMBSTONE. */
    public static final String REASON = "anomaly.error.reason";
    /** Human-readable explanation naming the field, schema id or byte at fault. */
    public static final String MESSAGE = "anomaly.error.message";
    public static final String SOURCE_TOPIC = "anomaly.source.topic";
    public static final String SOURCE_PARTITION = "anomaly.source.partition";
    public static final String SOURCE_OFFSET = "anomaly.source.offset";
    /** Wall-clock time (epoch millis, decimal text) of the decision. */
    public static final String TIME = "anomaly.error.time";
    /** Version of the model serving when the record was rejected. */
    public static final String MODEL_VERSION = "anomaly.model.version";

    private DeadLetters() {
    }
}
