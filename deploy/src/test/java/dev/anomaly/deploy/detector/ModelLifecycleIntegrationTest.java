package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.trainer.publish.ModelPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.anomaly.deploy.detector.DetectorFixtures.cli;
import static dev.anomaly.deploy.detector.DetectorFixtures.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What operators do with releases, on the real broker: {@code anomaly models list} shows each version's state as the
 * detectors reported it (serving, retired, rejected with the reason); {@code anomaly models rollback} publishes an
 * earlier model as the next version, signed, and the detector serves it.
 */
@ExtendWith(SharedLocalStack.class)
class ModelLifecycleIntegrationTest {
    @Test
    void shouldListTheHistoryAndRollBackByPublishingForward(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "life-telemetry";
        DetectorFixtures.createTopics(stack, input, "life");
        stack.createTopic("life-feedback", 1);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "life-detector", input, "life", dir.resolve("state"));
        raw.put("detector.model.id", "pumps");
        raw.put("processing.guarantee", "at_least_once");
        ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(DetectorFixtures.trainModel("pumps", 1, 0.01),
                ReleaseReason.INITIAL, "first")), "life-models", stack.clientConfig());
        byte[] v2 = DetectorFixtures.trainModel("pumps", 2, 0.2);
        String[] topics = {"--topic", "life-models", "--events-topic", "life-model-events", "--bootstrap-servers", stack.bootstrapServers(),
                "--schema-registry-url", stack.schemaRegistryUrl()};

        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            assertThat(app.models().serving().version()).isEqualTo(1);
            ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(v2, ReleaseReason.MANUAL, "more alerts")), "life-models",
                    stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().serving().version() == 2);
            ModelPublisher.publish(ModelPublisher.release(DetectorFixtures.trainModel("pumps", 3, 0.01), ReleaseReason.MANUAL, "unsigned"),
                    "life-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().count("anomaly.model.rejections") >= 1);

            // Operators judge two of v2's alerts: one real, one not.
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(5, 0.02).next(300));
            await().atMost(Duration.ofMinutes(1)).until(() -> DetectorFixtures.alerts(stack, "life-alerts").size() >= 2);
            List<Alert> alerts = DetectorFixtures.alerts(stack, "life-alerts");
            String[] server = {"--alerts-topic", "life-alerts", "--topic", "life-feedback", "--bootstrap-servers", stack.bootstrapServers(),
                    "--schema-registry-url", stack.schemaRegistryUrl()};
            for (int i = 0; i < 2; i++) {
                Alert a = alerts.get(i);
                DetectorFixtures.Cli fb = cli(concat(new String[]{"feedback", "--alert", a.getSourceTopic() + "-" + a.getSourcePartition() + "@" + a.getSourceOffset(),
                        "--verdict", i == 0 ? "true-positive" : "false-positive", "--author", "on-call"}, server));
                assertThat(fb.code()).as(fb.err()).isZero();
                assertThat(fb.out()).contains("for the alert of pumps v2");
            }
            DetectorFixtures.Cli missing = cli(concat(new String[]{"feedback", "--alert", input + "-0@999999", "--verdict", "fp", "--author", "x"}, server));
            assertThat(missing.code()).isEqualTo(3);
            assertThat(missing.err()).contains("no alert for " + input + "-0@999999");
            String show2 = cli(concat(new String[]{"models", "show", "--model-id", "pumps", "--version", "2", "--feedback-topic", "life-feedback"},
                    topics)).out();
            assertThat(show2).contains("precision  0.500 (1 of 2 judged alerts were real anomalies)");

            String list = cli(concat(new String[]{"models", "list"}, topics)).out();
            System.out.print(list);
            assertThat(list).containsPattern("pumps\\s+1\\s+retired\\s+INITIAL");
            assertThat(list).containsPattern("pumps\\s+2\\s+serving\\s+MANUAL");
            assertThat(list).containsPattern("pumps\\s+3\\s+rejected\\s+MANUAL\\s+\\S+\\s+unsigned\\s+\\S+\\s+\\[unsigned release");

            DetectorFixtures.Cli rollback = cli(concat(new String[]{"models", "rollback", "--model-id", "pumps", "--to", "1", "--signing-key",
                    DetectorFixtures.signingKeyFile().toString()}, topics));
            assertThat(rollback.code()).as(rollback.err()).isZero();
            assertThat(rollback.out()).contains("Published pumps v4: rollback to v1 (latest was v3)").contains("signed by key");
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().serving().version() == 4);
            assertThat(app.models().serving().threshold()).isEqualTo(
                    dev.anomaly.trainer.export.OnnxImporter.read(DetectorFixtures.trainModel("pumps", 1, 0.01)).metadata().threshold());

            await().atMost(Duration.ofSeconds(30)).until(() -> cli(concat(new String[]{"models", "list"}, topics)).out()
                    .matches("(?s).*pumps\\s+4\\s+serving.*"));
            String after = cli(concat(new String[]{"models", "list"}, topics)).out();
            assertThat(after).containsPattern("pumps\\s+2\\s+retired").containsPattern("pumps\\s+4\\s+serving\\s+MANUAL.*rollback to v1");
            String show = cli(concat(new String[]{"models", "show", "--model-id", "pumps"}, topics)).out();
            assertThat(show).contains("model      pumps v4").contains("state      serving").contains("rollback to v1");
        }
    }
}
