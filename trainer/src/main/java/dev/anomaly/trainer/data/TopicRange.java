package dev.anomaly.trainer.data;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which records of a topic to read: all, a time range, and/or only the last N (by timestamp).
 *
 * @param clientConfig consumer settings: at least {@code bootstrap.servers} and {@code schema.registry.url}
 */
public record TopicRange(String topic, Optional<Instant> from, Optional<Instant> to, OptionalLong lastN,
                         Map<String, Object> clientConfig) {
    public TopicRange {
        clientConfig = Map.copyOf(clientConfig);
        if (lastN.isPresent() && lastN.getAsLong() < 1) {
            throw new IllegalArgumentException("last N must be >= 1");
        }
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw new IllegalArgumentException("range start " + from.get() + " is after its end " + to.get());
        }
    }

    public String describe() {
        return "topic " + topic + from.map(f -> " from " + f).orElse("") + to.map(t -> " to " + t).orElse("")
                + (lastN.isPresent() ? " last " + lastN.getAsLong() : "");
    }
}
