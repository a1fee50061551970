package dev.anomaly.trainer.data;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Which records of a topic to read: all, a time range, and/or only the last N (by timestamp); of those, at most
 * {@code sample} (a uniform random sample) are kept, so that memory does not grow with the range.
 *
 * @param sample       keep a uniform sample of at most this many of the records read (empty: keep them all); with
 *                     {@code lastN}, the sample is drawn from the last N of each partition
 * @param clientConfig consumer settings: at least {@code bootstrap.servers} and {@code schema.registry.url}
 */
public record TopicRange(String topic, Optional<Instant> from, Optional<Instant> to, OptionalLong lastN, OptionalInt sample,
                         Map<String, Object> clientConfig) {
    public TopicRange {
        clientConfig = Map.copyOf(clientConfig);
        if (sample.isPresent() && sample.getAsInt() < 1) {
            throw new IllegalArgumentException("sample size must be >= 1");
        }
        if (lastN.isPresent() && lastN.getAsLong() < 1) {
            throw new IllegalArgumentException("last N must be >= 1");
        }
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw new IllegalArgumentException("range start " + from.get() + " is after its end " + to.get());
        }
    }

    /** All of the range's records. */
    public TopicRange(String topic, Optional<Instant> from, Optional<Instant> to, OptionalLong lastN, Map<String, Object> clientConfig) {
        this(topic, from, to, lastN, OptionalInt.empty(), clientConfig);
    }

    public String describe() {
        return "topic " + topic + from.map(f -> " from " + f).orElse("") + to.map(t -> " to " + t).orElse("")
                + (lastN.isPresent() ? " last " + lastN.getAsLong() : "");
    }
}
