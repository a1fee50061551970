package dev.anomaly.trainer.cli;

import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;

/** The Kafka and registry options every command that talks to the cluster shares (environment variables fill in the rest). */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (or KAFKA_SCHEMA_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra client / registry setting (repeatable);"
            + " KAFKA_X_Y environment variables set x.y too.")
    Map<String, String> kafkaProperties = new HashMap<>();

    /** The client settings, or a clear error naming what is missing for {@code command}. */
    Map<String, Object> config(String command) {
        return ClientProperties.resolve(kafkaProperties, bootstrapServers, registryUrl, command);
    }
}
