package dev.anomaly.deploy.stack;

import java.nio.file.Path;
import java.util.Map;

/** A Kafka cluster with a schema registry that the demo and end-to-end tests run against. */
public interface KafkaEnvironment {
    String bootstrapServers();

    /** Confluent-compatible schema registry URL. */
    String schemaRegistryUrl();

    /** Client properties to reach it: bootstrap servers and schema registry URL. */
    Map<String, Object> clientConfig();

    void createTopic(String name, int partitions);

    void createCompactedTopic(String name);

    /** A local directory for Kafka Streams state. */
    Path dataDir();
}
