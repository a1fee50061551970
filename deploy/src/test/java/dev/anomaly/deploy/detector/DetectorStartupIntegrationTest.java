package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.TestModels;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.app.StartupException;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.trainer.publish.ModelPublisher;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Start-up and readiness tell the truth: what the detector does before it can serve, and when its broker goes away. */
@ExtendWith(SharedLocalStack.class)
class DetectorStartupIntegrationTest {

    /** A model that reads a field the telemetry does not have. */
    private static byte[] misfit(int version) {
        FeatureSpec spec = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("bearingTempC"));
        return TestModels.centreModel("pumps", version, 5.0, spec, new float[]{1500f, 70f}, new float[]{300f, 5f});
    }

    @Test
    void shouldNeverServeAMisfitModelThatLoadedBeforeTheInputSchemaExisted(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "late-schema-telemetry";
        stack.createTopic(input, 2);
        stack.createTopic("late-alerts", 1);
        stack.createTopic("late-dlq", 1);
        stack.createTopic("late-scores", 2);
        stack.createCompactedTopic("late-models");
        stack.createTopic("late-model-events", 1);
        stack.createTopic("late-episodes", 1);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "late-detector", input, "late", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("misfit.onnx"), misfit(1));
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            assertThat(app.models().metadata()).as("not serving before the fit can be checked").isEmpty();
            assertThat(app.health().ready()).isFalse();
            assertThat(httpStatus(app, "/health/ready")).isEqualTo(503);
            assertThat(httpStatus(app, "/health/live")).isEqualTo(200);

            // A producer registers the input schema and writes: the waiting model is checked, and refused.
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(61, 0.01).next(500));
            await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().count("anomaly.model.rejections") >= 1);
            assertThat(app.models().metadata()).isEmpty();
            assertThat(app.streams().state()).as("nothing is read while nothing can score it").isEqualTo(KafkaStreams.State.CREATED);
            assertThat(app.health().detail()).contains("no model serving");

            // A good release arrives: it serves, and the records that waited are scored by it.
            ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(DetectorFixtures.trainModel("pumps", 2, 0.01), ReleaseReason.MANUAL, "fits")),
                    "late-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(60)).until(() -> app.metrics().count("anomaly.records.scored") >= 500);
            await().atMost(Duration.ofSeconds(30)).until(() -> app.health().ready());
        }
        assertThat(DetectorFixtures.alerts(stack, "late-alerts")).extracting(Alert::getModelVersion).containsOnly(2);
        assertThat(DetectorFixtures.readAll(stack, "late-dlq")).isEmpty();
    }

    @Test
    void shouldRefuseToStartWithAMissingOutputTopicUnlessAllowedToCreateIt(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "missing-telemetry";
        DetectorFixtures.createTopics(stack, input, "missing");
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "missing-detector", input, "missing", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("pumps.onnx"), TestModels.centreModel("pumps", 1, 5.0));
        raw.put("detector.drift.enabled", "true");
        raw.put("detector.drift.topic", "missing-drift");
        assertThatThrownBy(() -> DetectorApp.start(DetectorConfig.fromMap(raw)))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("[missing-drift]").hasMessageContaining("detector.topics.create=true");

        raw.put("detector.topics.create", "true");
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw))) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
        }
        assertThat(DetectorFixtures.readAll(stack, "missing-drift")).isEmpty(); // it exists now
    }

    @Test
    void shouldWaitNotReadyWhenTheModelsTopicHoldsOnlyABadRelease(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "badonly-telemetry";
        DetectorFixtures.createTopics(stack, input, "badonly");
        ModelRelease good = ModelPublisher.release(TestModels.centreModel("pumps", 1, 5.0), ReleaseReason.INITIAL, "good");
        ModelRelease broken = ModelRelease.newBuilder(good).setVersion(2).setOnnx(ByteBuffer.wrap(new byte[]{8, 1, 2, 3})).build();
        ModelPublisher.publish(DetectorFixtures.signed(broken), "badonly-models", stack.clientConfig());
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "badonly-detector", input, "badonly", dir.resolve("state"));
        raw.put("detector.model.id", "pumps");
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            assertThat(app.models().metadata()).isEmpty();
            assertThat(app.health().live()).isTrue();
            assertThat(app.health().ready()).isFalse();
            assertThat(app.metrics().count("anomaly.model.rejections")).isEqualTo(1);

            ModelPublisher.publish(DetectorFixtures.signed(ModelRelease.newBuilder(good).setVersion(3).setOnnx(ByteBuffer.wrap(TestModels.centreModel("pumps", 3, 5.0))).build()),
                    "badonly-models", stack.clientConfig());
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> app.health().ready());
            assertThat(app.models().serving().version()).isEqualTo(3);
        }
    }

    @Test
    void shouldReportNotReadyWhileTheBrokerIsAwayAndRecover(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "away-telemetry";
        DetectorFixtures.createTopics(stack, input, "away");
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "away-detector", input, "away", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("pumps.onnx"), TestModels.centreModel("pumps", 1, 5.0));
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> app.health().ready());
            stack.stopBroker();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> !app.health().ready());
                assertThat(app.health().detail()).contains("broker");
                assertThat(app.health().live()).as("an outage is not a reason to restart the pod").isTrue();
            } finally {
                stack.startBroker();
            }
            await().atMost(Duration.ofMinutes(2)).until(() -> app.health().ready());
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(71, 0.0).next(300));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 300);
        }
    }

    private static int httpStatus(DetectorApp app, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
