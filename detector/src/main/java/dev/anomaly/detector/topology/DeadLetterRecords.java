package dev.anomaly.detector.topology;

import dev.anomaly.detector.scoring.PendingRecord;
import dev.anomaly.detector.scoring.Rejection;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;

/**
 * Builds the dead-letter record of a rejected input record: its key, value and headers unchanged, plus the
 * {@link DeadLetters} headers. A dead letter must always be sendable, or the record it stands for is replayed forever:
 * if it would exceed the {@link DeadLetterLimit}, the value is cut to its first {@value #VALUE_PREFIX_BYTES} bytes,
 * then the original headers and finally the key are dropped, and {@link DeadLetters#TRUNCATED} says what was cut (the
 * source coordinates still point at the original). The explanation header is capped at {@value #MAX_MESSAGE_CHARS}
 * characters: it may quote the record.
 */
final class DeadLetterRecords {
    static final int MAX_MESSAGE_CHARS = 1000;
    static final int VALUE_PREFIX_BYTES = 256;
    /** Record batch and record framing around the bytes themselves, with room to spare (the producer's own estimate is lower). */
    private static final int FRAMING_BYTES = 256;
    private static final int PER_HEADER_BYTES = 16;

    private final DeadLetterLimit limit;
    private final Clock clock;

    DeadLetterRecords(DeadLetterLimit limit, Clock clock) {
        this.limit = limit;
        this.clock = clock;
    }

    Record<byte[], byte[]> build(Rejection r) {
        PendingRecord p = r.record();
        Headers own = ownHeaders(r);
        Headers all = new RecordHeaders();
        p.headers().forEach(h -> all.add(h.key(), h.value()));
        own.forEach(all::add);
        int max = limit.maxBytes();
        if (size(p.key(), p.value(), all) <= max) {
            return new Record<>(p.key(), p.value(), p.timestamp(), all);
        }
        int original = p.value() == null ? 0 : p.value().length;
        byte[] prefix = p.value() == null ? null : Arrays.copyOf(p.value(), Math.min(VALUE_PREFIX_BYTES, original));
        Headers cut = new RecordHeaders();
        p.headers().forEach(h -> cut.add(h.key(), h.value()));
        own.forEach(cut::add);
        cut.add(DeadLetters.ORIGINAL_VALUE_BYTES, utf8(Integer.toString(original)));
        if (size(p.key(), prefix, cut) <= max) {
            cut.add(DeadLetters.TRUNCATED, utf8("value"));
            return new Record<>(p.key(), prefix, p.timestamp(), cut);
        }
        Headers bare = new RecordHeaders();
        own.forEach(bare::add);
        bare.add(DeadLetters.ORIGINAL_VALUE_BYTES, utf8(Integer.toString(original)));
        if (size(p.key(), prefix, bare) <= max) {
            bare.add(DeadLetters.TRUNCATED, utf8("value,headers"));
            return new Record<>(p.key(), prefix, p.timestamp(), bare);
        }
        bare.add(DeadLetters.TRUNCATED, utf8("value,headers,key"));
        return new Record<>(null, prefix, p.timestamp(), bare);
    }

    private Headers ownHeaders(Rejection r) {
        PendingRecord p = r.record();
        String message = r.message().length() <= MAX_MESSAGE_CHARS ? r.message()
                : r.message().substring(0, MAX_MESSAGE_CHARS) + "… (" + r.message().length() + " chars)";
        Headers h = new RecordHeaders();
        h.add(DeadLetters.REASON, utf8(r.reason()));
        h.add(DeadLetters.MESSAGE, utf8(message));
        h.add(DeadLetters.SOURCE_TOPIC, utf8(p.topic()));
        h.add(DeadLetters.SOURCE_PARTITION, utf8(Integer.toString(p.partition())));
        h.add(DeadLetters.SOURCE_OFFSET, utf8(Long.toString(p.offset())));
        h.add(DeadLetters.TIME, utf8(Long.toString(clock.millis())));
        h.add(DeadLetters.MODEL_VERSION, utf8(Integer.toString(r.modelVersion())));
        return h;
    }

    /** An upper bound of what the producer counts against {@code max.request.size} for this record. */
    static int size(byte[] key, byte[] value, Headers headers) {
        long n = FRAMING_BYTES + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (Header h : headers) {
            n += PER_HEADER_BYTES + h.key().getBytes(StandardCharsets.UTF_8).length + (h.value() == null ? 0 : h.value().length);
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
