package dev.anomaly.schemas.features;

import org.apache.avro.generic.GenericRecord;

import java.time.Instant;
import java.util.Objects;

/**
 * A windowed model's input: the last {@code size} records of one entity, oldest first, every {@code stride} records.
 * Records belong to the entity named by the field at {@code key}; they are ordered by the event time at {@code time}
 * (epoch milliseconds, an Avro long or int). One key's records must share a partition (produce them keyed by it), so
 * that its window lives in one task.
 *
 * @param key    Avro field path of the entity (a string, enum, int or long field)
 * @param time   Avro field path of the event time in epoch milliseconds
 * @param size   W, records per window (at least 2)
 * @param stride S, a window is scored every S records once W have arrived (1: every record)
 */
public record WindowSpec(String key, String time, int size, int stride) {
    public WindowSpec {
        Objects.requireNonNull(key, "window key");
        Objects.requireNonNull(time, "window time");
        if (key.isBlank() || time.isBlank()) {
            throw new IllegalArgumentException("A window needs a key field and a time field");
        }
        if (size < 2) {
            throw new IllegalArgumentException("A window needs at least 2 records, got " + size);
        }
        if (stride < 1 || stride > size) {
            throw new IllegalArgumentException("A window's stride must be between 1 and its size " + size + ", got " + stride);
        }
    }

    /** The entity a record belongs to: the value at {@link #key} as text, or null when it is missing or null. */
    public String keyOf(GenericRecord record) {
        Object v = valueAt(record, key);
        return v == null ? null : v.toString();
    }

    /**
     * A record's event time in epoch milliseconds: the value at {@link #time} (a long, an int, or an Avro timestamp read
     * as an {@link Instant}); null when it is missing or of another type.
     */
    public Long timeOf(GenericRecord record) {
        Object v = valueAt(record, time);
        if (v instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        return v instanceof Long || v instanceof Integer ? ((Number) v).longValue() : null;
    }

    /** The value at a dot-separated field path, or null. */
    public static Object valueAt(GenericRecord record, String path) {
        Object v = record;
        for (String part : path.split("\\.")) {
            if (!(v instanceof GenericRecord g) || g.getSchema().getField(part) == null) {
                return null;
            }
            v = g.get(part);
        }
        return v;
    }

    /** The input column name of row feature {@code name} at {@code step} (0 = oldest, size - 1 = the latest record). */
    public String columnName(String name, int step) {
        return name + "@" + (step - (size - 1));
    }
}
