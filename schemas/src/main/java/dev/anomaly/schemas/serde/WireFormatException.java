package dev.anomaly.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that cannot be turned into an Avro record. {@link #reason()} is a stable code for dead-letter headers and
 * metrics; the message says what was wrong, and with which topic and schema id.
 */
public class WireFormatException extends SerializationException {
    /** Why a message could not be read. */
    public enum Reason {
        /** Zero-length value. */
        EMPTY,
        /** First byte is not the wire-format magic byte 0. */
        BAD_MAGIC_BYTE,
        /** Shorter than the header, or the Avro payload ends early. */
        TRUNCATED,
        /** The schema id is not known to the registry. */
        UNKNOWN_SCHEMA_ID,
        /**
         * The id names a schema this serde cannot read: not Avro (Protobuf, JSON Schema), not parseable, beyond the
         * decode limits, or the registry refused the lookup with a 4xx that is about the id rather than about us.
         */
        UNSUPPORTED_SCHEMA,
        /** The writer schema cannot be resolved to the reader schema. */
        INCOMPATIBLE_SCHEMA,
        /** The payload is not valid Avro for its writer schema. */
        BAD_PAYLOAD,
        /**
         * The registry could not be reached, answered 5xx, refused our credentials or asked us to slow down: not the
         * record's fault, retry later.
         */
        REGISTRY_UNAVAILABLE
    }

    private final Reason reason;
    private final String detail;

    public WireFormatException(Reason reason, String topic, String detail) {
        this(reason, topic, detail, null);
    }

    public WireFormatException(Reason reason, String topic, String detail, Throwable cause) {
        super("Cannot deserialize record from topic '" + topic + "': " + reason + ": " + detail, cause);
        this.reason = reason;
        this.detail = detail;
    }

    /** What was wrong, without the topic and reason prefix. */
    public String detail() {
        return detail;
    }

    public Reason reason() {
        return reason;
    }
}
