package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.release.ReleaseSigning;
import dev.anomaly.schemas.release.SigningKey;
import dev.anomaly.schemas.registry.RegistryClientConfig;
import dev.anomaly.trainer.publish.ModelPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (or KAFKA_SCHEMA_REGISTRY_URL).")
    String registryUrl;

    @Option(names = "--reason", defaultValue = "MANUAL", description = "INITIAL, DRIFT, SCHEDULED or MANUAL (default: ${DEFAULT-VALUE}).")
    ReleaseReason reason;

    @Option(names = "--note", description = "Free text stored with the release.")
    String note;

    @Option(names = "--signing-key", paramLabel = "FILE", description = "Ed25519 private key (PEM, with its .pub beside it) to sign the release"
            + " with; 'anomaly keys generate' makes one (or ANOMALY_SIGNING_KEY).")
    Path signingKey;

    @Option(names = "--unsigned", description = "Publish without a signature (only detectors with detector.models.allow.unsigned=true serve it).")
    boolean unsigned;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra producer / registry client setting (repeatable); KAFKA_X_Y environment variables set x.y too.")
    Map<String, String> kafkaProperties = new HashMap<>();

    /** The key from --signing-key or ANOMALY_SIGNING_KEY; none only when --unsigned says so. */
    static Optional<SigningKey> signingKey(Path option, boolean unsigned) {
        Path keyFile = option != null ? option
                : System.getenv("ANOMALY_SIGNING_KEY") != null ? Path.of(System.getenv("ANOMALY_SIGNING_KEY")) : null;
        if (keyFile == null && !unsigned) {
            throw new IllegalArgumentException("--signing-key FILE is required (detectors refuse unsigned releases); make a key with"
                    + " 'anomaly keys generate', or pass --unsigned");
        }
        if (keyFile != null && unsigned) {
            throw new IllegalArgumentException("--signing-key and --unsigned contradict each other");
        }
        return Optional.ofNullable(keyFile).map(SigningKey::read);
    }

    @Override
    public Integer call() throws Exception {
        Optional<SigningKey> key = signingKey(signingKey, unsigned);
        byte[] onnx = Files.readAllBytes(model);
        ModelRelease unsignedRelease = ModelPublisher.release(onnx, reason, note);
        ModelRelease release = key.map(k -> ReleaseSigning.sign(unsignedRelease, k)).orElse(unsignedRelease);
        Map<String, Object> config = ClientProperties.resolve(kafkaProperties, bootstrapServers, registryUrl, "publish");
        var meta = ModelPublisher.publish(release, topic, config);
        System.out.printf("Published %s v%d (%s, %s) to %s-%d@%d%n", release.getModelId(), release.getVersion(), reason,
                key.map(k -> "signed by key " + k.keyId()).orElse("unsigned"), meta.topic(), meta.partition(), meta.offset());
        return ExitCodes.OK;
    }
}
