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

    /** A topic whose record timestamps are the broker's append times (where an alert's latency starts at the broker). */
    void createLogAppendTimeTopic(String name, int partitions);

    void createCompactedTopic(String name);

    /** A local directory for Kafka Streams state. */
    Path dataDir();

    /**
     * Registers {@code schema} as the value contract of {@code topic} ({@code <topic>-value}), as producers do on their
     * first record: a detector serves a model only once it can check the model against its input's schema.
     */
    default int registerValueSchema(String topic, org.apache.avro.Schema schema) {
        return dev.anomaly.schemas.registry.SchemaRegistries.fromConfig(clientConfig()).register(topic + "-value", schema);
    }
}
