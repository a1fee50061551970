package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.ModelEvent;
import dev.anomaly.schemas.avro.ModelEventType;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.publish.ModelPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A new release scores in shadow beside the serving model before it may serve: one trained on other data (faster,
 * hotter pumps) alerts far above its target on today's records and is rejected; one trained on data like today's is
 * promoted; an operator's {@code anomaly models promote} serves a version in shadow at once. Alerts name the serving
 * version throughout.
 */
@ExtendWith(SharedLocalStack.class)
class ShadowRolloutIntegrationTest {
    @Test
    void shouldRejectADegradedCandidateInShadowAndPromoteAGoodOne(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "shadow-telemetry";
        DetectorFixtures.createTopics(stack, input, "shadow");
        ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(DetectorFixtures.trainModel("pumps", 1, 0.01),
                ReleaseReason.INITIAL, "v1")), "shadow-models", stack.clientConfig());
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "shadow-detector", input, "shadow", dir.resolve("state"));
        raw.put(DetectorConfig.MODEL_ID, "pumps");
        raw.put(DetectorConfig.SHADOW_RECORDS, "2000");
        raw.put("processing.guarantee", "at_least_once");
        TelemetrySimulator shifted = DetectorFixtures.simulator(100, 0.0);
        shifted.shiftRegime(1.3, 6.0);
        byte[] degraded = DetectorFixtures.trainModel("pumps", 2, 0.01, shifted);
        byte[] good = DetectorFixtures.trainModel("pumps", 3, 0.01, DetectorFixtures.simulator(200, 0.0));
        TelemetrySimulator today = DetectorFixtures.simulator(300, 0.01);

        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(degraded, ReleaseReason.DRIFT, "trained on shifted data")),
                    "shadow-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().shadowTrial().isPresent());
            DetectorFixtures.produce(stack, input, today.next(2500));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.model.rejections") >= 1);
            assertThat(app.models().serving().version()).isEqualTo(1);

            ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(good, ReleaseReason.SCHEDULED, "trained on today's kind of data")),
                    "shadow-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().shadowTrial().isPresent());
            assertThat(app.models().serving().version()).as("v3 in shadow, v1 serving").isEqualTo(1);
            assertThat(app.metrics().registry().get("anomaly.model.shadow.version").gauge().value()).isEqualTo(3.0);
            DetectorFixtures.produce(stack, input, today.next(2500));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.models().serving().version() == 3);

            // v4 goes into shadow; an operator promotes it at once: v5, the same model marked immediate, serves without a trial.
            ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(DetectorFixtures.trainModel("pumps", 4, 0.01,
                    DetectorFixtures.simulator(400, 0.0)), ReleaseReason.SCHEDULED, "nightly")), "shadow-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().shadowTrial().isPresent());
            DetectorFixtures.Cli promote = DetectorFixtures.cli("models", "promote", "--model-id", "pumps", "--version", "4", "--signing-key",
                    DetectorFixtures.signingKeyFile().toString(), "--topic", "shadow-models", "--events-topic", "shadow-model-events",
                    "--bootstrap-servers", stack.bootstrapServers(), "--schema-registry-url", stack.schemaRegistryUrl());
            assertThat(promote.code()).as(promote.err()).isZero();
            assertThat(promote.out()).contains("Published pumps v5: promoted v4 by an operator");
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().serving().version() == 5);
            assertThat(app.models().shadowTrial()).isEmpty();
        }
        SpecificAvroSerde<ModelEvent> serde = new SpecificAvroSerde<>(ModelEvent.class);
        serde.configure(stack.clientConfig(), false);
        List<ModelEvent> events = DetectorFixtures.readAll(stack, "shadow-model-events").stream()
                .map(r -> serde.deserializer().deserialize("shadow-model-events", r.value())).toList();
        events.forEach(e -> System.out.printf("%s v%s: %s%n", e.getEvent(), e.getVersion(), e.getReason()));
        assertThat(events).extracting(e -> e.getEvent() + " v" + e.getVersion()).containsExactly("SERVING v1", "SHADOW v2", "REJECTED v2",
                "SHADOW v3", "SERVING v3", "SHADOW v4", "REJECTED v4", "SERVING v5");
        assertThat(events.get(6).getReason()).isEqualTo("superseded by v5 while in shadow");
        assertThat(events.get(2).getReason()).startsWith("rejected in shadow on").endsWith("above 3.0 x target");
        assertThat(events.get(4).getReason()).startsWith("promoted in shadow on");
        assertThat(events.stream().filter(e -> e.getEvent() == ModelEventType.SERVING)).hasSize(3);
        assertThat(DetectorFixtures.alerts(stack, "shadow-alerts")).allSatisfy(a -> assertThat(a.getModelVersion()).isIn(1, 3, 5));
    }
}
