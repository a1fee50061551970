package dev.anomaly.trainer.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Kafka client and registry settings from environment variables, as the detector reads them: {@code KAFKA_X_Y}
 * becomes {@code x.y} (so a SASL JAAS line with spaces needs no shell quoting). Streams-only keys are left out.
 */
public final class ClientProperties {
    private static final Set<String> STREAMS_ONLY = Set.of("application.id", "state.dir", "processing.guarantee", "num.stream.threads",
            "commit.interval.ms");

    private ClientProperties() {
    }

    /**
     * Client settings for a command: environment first, then {@code --kafka-property} values, then the explicit
     * bootstrap servers and registry URL options (when given); both of those must end up set.
     */
    public static Map<String, Object> resolve(Map<String, String> properties, String bootstrapServers, String registryUrl, String command) {
        Map<String, Object> config = fromEnvironment(System.getenv());
        config.putAll(properties);
        if (bootstrapServers != null) {
            config.put("bootstrap.servers", bootstrapServers);
        }
        if (registryUrl != null) {
            config.put(dev.anomaly.schemas.registry.RegistryClientConfig.URL, registryUrl);
        }
        if (!config.containsKey("bootstrap.servers") || !config.containsKey(dev.anomaly.schemas.registry.RegistryClientConfig.URL)) {
            throw new IllegalArgumentException(command + " needs --bootstrap-servers and --schema-registry-url"
                    + " (or KAFKA_BOOTSTRAP_SERVERS and KAFKA_SCHEMA_REGISTRY_URL)");
        }
        return config;
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
