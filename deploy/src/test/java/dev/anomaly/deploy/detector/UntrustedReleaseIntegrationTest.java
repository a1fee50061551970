package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.ModelEvent;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.release.ReleaseSigning;
import dev.anomaly.schemas.release.SigningKey;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.trainer.export.OnnxExporter;
import dev.anomaly.trainer.export.OnnxImporter;
import dev.anomaly.trainer.publish.ModelPublisher;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whoever can write to the models topic cannot decide what the detector serves: an unsigned release, one signed by an
 * unknown key, a model changed after signing, a signed model with a threshold that silences every alert, and a signed
 * model that reads an external file are each refused, counted and reported on the model events topic with the reason,
 * while the serving model keeps serving; a good signed release is then served.
 */
@ExtendWith(SharedLocalStack.class)
class UntrustedReleaseIntegrationTest {
    @Test
    void shouldRefuseEveryUntrustedOrInsaneReleaseAndKeepServing(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "trust-telemetry";
        String models = "trust-models";
        DetectorFixtures.createTopics(stack, input, "trust");
        byte[] trained = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "trust-detector", input, "trust", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("v1.onnx"), trained);
        raw.put("processing.guarantee", "at_least_once");
        SigningKey stranger = SigningKey.read(DetectorFixtures.publisherKeys().resolve("stranger.key"));

        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(41, 0.02).next(2000));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 2000);

            ModelRelease unsigned = release(trained, 2, Double.NaN);
            ModelRelease unknownKey = ReleaseSigning.sign(release(trained, 3, Double.NaN), stranger);
            ModelRelease flipped = DetectorFixtures.signed(release(trained, 4, Double.NaN));
            byte[] bits = flipped.getOnnx().array().clone();
            bits[bits.length / 2] ^= 0x01;
            flipped.setOnnx(ByteBuffer.wrap(bits));
            ModelRelease silencing = DetectorFixtures.signed(release(trained, 5, 1e30));
            // (the publisher refuses to build this release, as the detector refuses to load it: made by hand)
            ModelRelease external = DetectorFixtures.signed(ModelRelease.newBuilder(release(trained, 6, Double.NaN))
                    .setOnnx(ByteBuffer.wrap(withExternalTensor(version(trained, 6, Double.NaN)))).build());
            int n = 0;
            for (ModelRelease bad : new ModelRelease[]{unsigned, unknownKey, flipped, silencing, external}) {
                ModelPublisher.publish(bad, models, stack.clientConfig());
                long expected = ++n;
                await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().count("anomaly.model.rejections") >= expected);
                assertThat(app.models().serving().version()).as("after v" + bad.getVersion()).isEqualTo(1);
            }

            ModelPublisher.publish(DetectorFixtures.signed(release(trained, 7, Double.NaN)), models, stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().serving().version() == 7);
            assertThat(app.metrics().count("anomaly.model.rejections")).isEqualTo(5);
        }
        SpecificAvroSerde<ModelEvent> serde = new SpecificAvroSerde<>(ModelEvent.class);
        serde.configure(stack.clientConfig(), false);
        List<ModelEvent> events = DetectorFixtures.readAll(stack, "trust-model-events").stream()
                .map(r -> serde.deserializer().deserialize("trust-model-events", r.value())).toList();
        events.forEach(e -> System.out.printf("%s %s v%s: %s%n", e.getEvent(), e.getModelId(), e.getVersion(), e.getReason()));
        assertThat(events).extracting(e -> e.getEvent() + " v" + e.getVersion()).containsExactly("SERVING v1", "REJECTED v2", "REJECTED v3",
                "REJECTED v4", "REJECTED v5", "REJECTED v6", "SERVING v7");
        assertThat(events.get(1).getReason().toString()).startsWith("unsigned release");
        assertThat(events.get(2).getReason().toString()).contains("not trusted");
        assertThat(events.get(3).getReason().toString()).startsWith("bad signature");
        assertThat(events.get(4).getReason().toString()).contains("threshold 1.00000e+30 lies outside");
        assertThat(events.get(5).getReason().toString()).contains("external file");
        assertThat(events).allSatisfy(e -> assertThat(e.getDetector().toString()).startsWith("trust-detector@"));
    }

    /** The trained model as release {@code version}, with its threshold replaced unless NaN. */
    private static ModelRelease release(byte[] trained, int version, double threshold) {
        return ModelPublisher.release(version(trained, version, threshold), ReleaseReason.MANUAL, "v" + version);
    }

    private static byte[] version(byte[] trained, int version, double threshold) {
        OnnxImporter.Imported m = OnnxImporter.read(trained);
        ModelMetadata meta = m.metadata();
        return OnnxExporter.export(m.network(), new ModelMetadata(meta.modelId(), version, meta.kind(), meta.featureSpec(),
                Double.isNaN(threshold) ? meta.threshold() : threshold, meta.falseAlarmRate(), meta.baseline(), meta.trainingFingerprint(),
                meta.hyperParameters(), meta.metrics(), meta.createdAt()));
    }

    /** The model with one more initializer whose data is "in" an external file. */
    private static byte[] withExternalTensor(byte[] onnx) throws Exception {
        Onnx.ModelProto model = Onnx.ModelProto.parseFrom(onnx);
        Onnx.TensorProto stolen = Onnx.TensorProto.newBuilder().setName("stolen").setDataType(1).addDims(1)
                .addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue("/etc/passwd"))
                .setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL).build();
        return model.toBuilder().setGraph(model.getGraph().toBuilder().addInitializer(stolen)).build().toByteArray();
    }
}
