package dev.anomaly.trainer.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Kafka client and registry settings from environment variables, as the detector reads them: {@code KAFKA_X_Y}
 * becomes {@code x.y} (so a SASL JAAS line with spaces needs no shell quoting). Streams-only keys are left out.
 */
final class ClientProperties {
    private static final Set<String> STREAMS_ONLY = Set.of("application.id", "state.dir", "processing.guarantee", "num.stream.threads",
            "commit.interval.ms");

    private ClientProperties() {
    }

    static Map<String, Object> fromEnvironment(Map<String, String> env) {
        Map<String, Object> out = new HashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                String key = k.substring("KAFKA_".length()).toLowerCase().replace('_', '.');
                if (!STREAMS_ONLY.contains(key)) {
                    out.put(key, v);
                }
            }
        });
        return out;
    }
}
