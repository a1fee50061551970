package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.cli.AnomalyCli;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.trainer.publish.ModelPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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

            String list = cli(concat(new String[]{"models", "list"}, topics)).out();
            System.out.print(list);
            assertThat(list).containsPattern("pumps\\s+1\\s+retired\\s+INITIAL");
            assertThat(list).containsPattern("pumps\\s+2\\s+serving\\s+MANUAL");
            assertThat(list).containsPattern("pumps\\s+3\\s+rejected\\s+MANUAL\\s+\\S+\\s+unsigned\\s+\\S+\\s+\\[unsigned release");

            Cli rollback = cli(concat(new String[]{"models", "rollback", "--model-id", "pumps", "--to", "1", "--signing-key",
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

    record Cli(int code, String out, String err) {
    }

    /** The CLI in this JVM; its tables go to System.out, captured here. */
    private static synchronized Cli cli(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cmd = AnomalyCli.commandLine();
            cmd.setErr(new PrintWriter(err));
            code = cmd.execute(args);
        } finally {
            System.setOut(old);
        }
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
