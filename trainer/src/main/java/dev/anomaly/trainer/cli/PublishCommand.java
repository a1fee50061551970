package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.registry.RegistryClientConfig;
import dev.anomaly.trainer.publish.ModelPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code anomaly publish}: send an exported model to the models topic, where detectors pick it up. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Publish an exported model to the models topic, where detectors pick it up.",
        description = "Publish an exported model as a ModelRelease on the compacted models topic (keyed by model id).")
public final class PublishCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The ONNX model written by 'anomaly train'.")
    Path model;

    @Option(names = "--topic", defaultValue = "anomaly-models", description = "Models topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (or KAFKA_SCHEMA_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--reason", defaultValue = "MANUAL", description = "INITIAL, DRIFT, SCHEDULED or MANUAL (default: ${DEFAULT-VALUE}).")
    ReleaseReason reason;

    @Option(names = "--note", description = "Free text stored with the release.")
    String note;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra producer / registry client setting (repeatable); KAFKA_X_Y environment variables set x.y too.")
    Map<String, String> kafkaProperties = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        byte[] onnx = Files.readAllBytes(model);
        var release = ModelPublisher.release(onnx, reason, note);
        Map<String, Object> config = ClientProperties.resolve(kafkaProperties, bootstrapServers, registryUrl, "publish");
        var meta = ModelPublisher.publish(release, topic, config);
        System.out.printf("Published %s v%d (%s) to %s-%d@%d%n", release.getModelId(), release.getVersion(), reason, meta.topic(),
                meta.partition(), meta.offset());
        return ExitCodes.OK;
    }
}
