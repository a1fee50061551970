package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.cli.AnomalyCli;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.topology.DeadLetters;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.deploy.demo.LabelledReading;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The invariant under exactly-once: the detector runs in its own JVM, is killed with SIGKILL in the middle of the
 * stream (with records in its batch buffer), and restarted; reading committed output, every input record is in
 * exactly one of {scored, dead-lettered}, and the alerts are exactly the records above threshold, once each.
 */
@ExtendWith(SharedLocalStack.class)
class DetectorCrashIntegrationTest {
    private static final int RECORDS = 30_000;
    private static final int BAD = 60;

    @Test
    void shouldNeitherLoseNorDuplicateAcrossAKill(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "crash-telemetry";
        DetectorFixtures.createTopics(stack, input, "crash");
        byte[] onnx = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Path model = dir.resolve("pumps.onnx");
        Files.write(model, onnx);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "crash-detector", input, "crash", dir.resolve("state"));
        raw.put("detector.model.path", model.toString());
        raw.put("detector.batch.size", "512");
        raw.put("detector.batch.linger.ms", "200"); // long linger: a kill finds records waiting in the buffer
        raw.put("commit.interval.ms", "100");
        Path config = dir.resolve("detector.properties");
        Properties props = new Properties();
        props.putAll(raw);
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, null);
        }

        List<LabelledReading> readings = DetectorFixtures.simulator(11, 0.01).next(RECORDS);
        List<DetectorFixtures.Sent> first = DetectorFixtures.produce(stack, input, readings.subList(0, RECORDS / 2));
        try (KafkaProducer<byte[], byte[]> p = DetectorFixtures.producer(stack)) {
            for (int i = 0; i < BAD; i++) {
                p.send(new ProducerRecord<>(input, ("bad-" + i).getBytes(StandardCharsets.UTF_8), new byte[]{0, 0, 0}));
            }
        }

        Process detector = startDetector(config, Path.of("target", "crash-run1.log"));
        // Kill once it has committed part of the stream, while the rest is still arriving.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(detector.isAlive()).as("detector died early; see deploy/target/crash-run1.log").isTrue();
            return DetectorFixtures.readAll(stack, "crash-scores").size() > 3000;
        });
        List<DetectorFixtures.Sent> second = new ArrayList<>();
        Thread producer = new Thread(() -> second.addAll(DetectorFixtures.produce(stack, input, readings.subList(RECORDS / 2, RECORDS))));
        producer.start();
        Thread.onSpinWait();
        detector.destroyForcibly(); // SIGKILL
        assertThat(detector.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int scoredBeforeRestart = DetectorFixtures.readAll(stack, "crash-scores").size();
        producer.join();

        Process restarted = startDetector(config, Path.of("target", "crash-run2.log"));
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                    DetectorFixtures.readAll(stack, "crash-scores").size() + DetectorFixtures.readAll(stack, "crash-dlq").size() >= RECORDS + BAD);
        } finally {
            restarted.destroy();
            restarted.waitFor(60, TimeUnit.SECONDS);
        }
        System.out.printf("Killed with %d of %d records scored and committed; restarted and finished%n", scoredBeforeRestart, RECORDS + BAD);
        assertThat(scoredBeforeRestart).isLessThan(RECORDS);

        List<DetectorFixtures.Sent> sent = new ArrayList<>(first);
        sent.addAll(second);
        List<ConsumerRecord<byte[], byte[]>> scores = DetectorFixtures.readAll(stack, "crash-scores");
        List<ConsumerRecord<byte[], byte[]>> dlq = DetectorFixtures.readAll(stack, "crash-dlq");
        assertThat(scores).hasSize(RECORDS);
        assertThat(dlq).hasSize(BAD);
        // Each dead letter names a distinct source position.
        Set<String> dlqPositions = new HashSet<>();
        dlq.forEach(r -> dlqPositions.add(header(r, DeadLetters.SOURCE_PARTITION) + "@" + header(r, DeadLetters.SOURCE_OFFSET)));
        assertThat(dlqPositions).hasSize(BAD);

        Set<String> expected = DetectorFixtures.expectedAlerts(onnx, sent);
        List<Alert> alerts = DetectorFixtures.alerts(stack, "crash-alerts");
        Map<String, Integer> alertCount = new HashMap<>();
        alerts.forEach(a -> alertCount.merge(DetectorFixtures.key(a.getSourcePartition(), a.getSourceOffset()), 1, Integer::sum));
        assertThat(alertCount.values()).as("no alert twice").allMatch(c -> c == 1);
        assertThat(alertCount.keySet()).as("no alert lost").isEqualTo(expected);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static Process startDetector(Path config, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), AnomalyCli.class.getName(),
                "detect", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
