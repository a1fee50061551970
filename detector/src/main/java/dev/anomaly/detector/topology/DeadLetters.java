package dev.anomaly.detector.topology;

/**
 * Headers added to every dead-letter record (the original key, value and headers are kept unchanged, unless the
 * record would be too large for the dead-letter topic: then {@link #TRUNCATED} says what was cut).
 */
public final class DeadLetters {
    /**
     * Stable reason code: a WireFormatException or FeatureExtractionException reason, TOMBSTONE, SCORING_FAILED (the
     * model threw on this record alone) or NOT_FINITE_SCORE (the model scored it NaN or infinite).
     */
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
    /**
     * Present when the dead letter was cut to fit the topic: {@code value} (only its first bytes are kept),
     * {@code value,headers} (original headers dropped too), {@code value,headers,key}.
     */
    public static final String TRUNCATED = "anomaly.error.truncated";
    /** With {@link #TRUNCATED}: the original value's size in bytes (decimal text). */
    public static final String ORIGINAL_VALUE_BYTES = "anomaly.error.original.bytes";

    private DeadLetters() {
    }
}
