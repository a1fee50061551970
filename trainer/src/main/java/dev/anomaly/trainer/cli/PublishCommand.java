package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.release.ReleaseSigning;
import dev.anomaly.schemas.release.SigningKey;
import dev.anomaly.trainer.publish.ModelPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code anomaly publish}: send an exported model to the models topic, where detectors pick it up. */
@Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Publish an exported model to the models topic, where detectors pick it up.",
        description = {"Publish an exported model as a ModelRelease on the compacted models topic (keyed by model id), signed"
                + " with --signing-key: detectors serve only releases signed by a key they trust.",
                "Exit codes: 0 ok, 2 bad options, 4 bad model, 5 Kafka or the schema registry unreachable."})
public final class PublishCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The ONNX model written by 'anomaly train'.")
    Path model;

    @Option(names = "--topic", defaultValue = "anomaly-models", description = "Models topic (default: ${DEFAULT-VALUE}).")
    String topic;


    @Option(names = "--reason", defaultValue = "MANUAL", description = "INITIAL, DRIFT, SCHEDULED or MANUAL (default: ${DEFAULT-VALUE}).")
    ReleaseReason reason;

    @Option(names = "--note", description = "Free text stored with the release.")
    String note;

    @Mixin
    SigningOptions signing;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        Optional<SigningKey> key = signing.key();
        byte[] onnx = Files.readAllBytes(model);
        ModelRelease unsignedRelease = ModelPublisher.release(onnx, reason, note);
        ModelRelease release = key.map(k -> ReleaseSigning.sign(unsignedRelease, k)).orElse(unsignedRelease);
        Map<String, Object> config = kafka.config("publish");
        var meta = ModelPublisher.publish(release, topic, config);
        System.out.printf("Published %s v%d (%s, %s) to %s-%d@%d%n", release.getModelId(), release.getVersion(), reason,
                key.map(k -> "signed by key " + k.keyId()).orElse("unsigned"), meta.topic(), meta.partition(), meta.offset());
        return ExitCodes.OK;
    }
}
