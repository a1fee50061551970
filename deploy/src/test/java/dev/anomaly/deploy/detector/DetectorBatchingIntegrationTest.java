package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.detector.topology.DeadLetters;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import io.micrometer.core.instrument.DistributionSummary;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * When batches are scored on the real broker: when full, after the linger, and — what keeps the in-memory buffer
 * crash-safe — before the offsets of buffered records are committed, including when partitions move to another
 * instance.
 */
@ExtendWith(SharedLocalStack.class)
class DetectorBatchingIntegrationTest {

    @Test
    void shouldScoreFullBatchesAndThenLingeringRecordsLongBeforeAnyCommit(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "batching-telemetry";
        stack.createTopic(input, 1); // one task, so one buffer
        stack.registerValueSchema(input, dev.anomaly.schemas.avro.MachineTelemetry.getClassSchema());
        DetectorFixtures.createTopics(stack, "batching-unused", "batching");
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "batching-detector", input, "batching", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("pumps.onnx"), DetectorFixtures.trainModel("pumps", 1, 0.01));
        raw.put("processing.guarantee", "at_least_once");
        raw.put("commit.interval.ms", "600000"); // no commit during the test: only size and linger can score
        raw.put("detector.batch.size", "8");
        raw.put("detector.batch.linger.ms", "300");
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            DistributionSummary batches = app.metrics().registry().get("anomaly.batch.size").summary();
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(41, 0.0).next(24));
            await().atMost(Duration.ofSeconds(60)).until(() -> app.metrics().count("anomaly.records.scored") >= 24);
            assertThat(batches.max()).isEqualTo(8);

            long before = batches.count();
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(42, 0.0).next(5));
            await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().count("anomaly.records.scored") >= 29);
            assertThat(batches.count() - before).as("5 records < batch size: one batch, after the linger").isEqualTo(1);
        }
        assertThat(DetectorFixtures.readAll(stack, "batching-scores")).hasSize(29);
    }

    @Test
    void shouldSetUnreadableRecordsAsideWithinABatchReadOnTheScoringThread(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "setaside-telemetry";
        stack.createTopic(input, 1);
        stack.registerValueSchema(input, dev.anomaly.schemas.avro.MachineTelemetry.getClassSchema());
        DetectorFixtures.createTopics(stack, "setaside-unused", "setaside");
        byte[] onnx = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "setaside-detector", input, "setaside", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("pumps.onnx"), onnx);
        raw.put("processing.guarantee", "at_least_once");
        raw.put("commit.interval.ms", "600000");
        raw.put("detector.batch.size", "8"); // two full batches, each read and scored on the scoring thread
        raw.put("detector.batch.linger.ms", "60000");
        raw.put(DetectorConfig.SCORING_THREADS, "1");
        List<LabelledReading> readings = DetectorFixtures.simulator(45, 0.0).next(16);
        SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
        serde.configure(stack.clientConfig(), false);
        Set<Integer> unreadable = Set.of(2, 9, 15);
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            try (KafkaProducer<byte[], byte[]> producer = DetectorFixtures.producer(stack)) {
                for (int i = 0; i < readings.size(); i++) {
                    byte[] value = unreadable.contains(i) ? new byte[]{9, 9, 9} : serde.serializer().serialize(input, readings.get(i).reading());
                    producer.send(new ProducerRecord<>(input, ("r" + i).getBytes(StandardCharsets.UTF_8), value));
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> app.metrics().count("anomaly.records.scored") >= 13
                    && app.metrics().count("anomaly.deadletter") >= 3);
        }

        List<ConsumerRecord<byte[], byte[]>> dlq = DetectorFixtures.readAll(stack, "setaside-dlq");
        assertThat(dlq).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("r2", "r9", "r15");
        assertThat(dlq).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("BAD_MAGIC_BYTE"));
        // Each score belongs to its own record: the rows after a record set aside are not shifted onto the wrong keys.
        Map<String, Float> scored = new HashMap<>();
        DetectorFixtures.readAll(stack, "setaside-scores").forEach(r ->
                scored.put(new String(r.key(), StandardCharsets.UTF_8), Float.parseFloat(new String(r.value(), StandardCharsets.UTF_8))));
        try (var offline = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            Map<String, Float> expected = new HashMap<>();
            for (int i = 0; i < readings.size(); i++) {
                if (!unreadable.contains(i)) {
                    float[] row = offline.metadata().featureSpec().extract(readings.get(i).reading());
                    expected.put("r" + i, offline.score(row, 1).score()[0]);
                }
            }
            assertThat(scored).hasSameSizeAs(expected).allSatisfy((k, v) ->
                    assertThat(v).as(k).isCloseTo(expected.get(k), within(1e-4f * Math.max(1f, Math.abs(expected.get(k))))));
        }
    }

    @Test
    void shouldScoreBufferedRecordsExactlyOnceWhenPartitionsMoveToASecondInstance(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "rebalance-telemetry";
        DetectorFixtures.createTopics(stack, input, "rebalance");
        byte[] onnx = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "rebalance-detector", input, "rebalance", dir.resolve("state-a"));
        DetectorFixtures.startFrom(raw, dir.resolve("pumps.onnx"), onnx);
        raw.put("processing.guarantee", "exactly_once_v2");
        raw.put("commit.interval.ms", "1000");
        raw.put("detector.batch.size", "65536"); // never full, never lingers out: records wait in the buffer until a commit
        raw.put("detector.batch.linger.ms", "60000");
        Map<String, String> rawB = new HashMap<>(raw);
        rawB.put("state.dir", dir.resolve("state-b").toString());

        List<DetectorFixtures.Sent> sent = new ArrayList<>();
        try (DetectorApp a = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            sent.addAll(DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(43, 0.02).next(4000)));
            await().atMost(Duration.ofSeconds(60)).until(() -> a.metrics().count("anomaly.records.in") >= 4000);
            try (DetectorApp b = DetectorApp.start(DetectorConfig.fromMap(rawB), () -> BatchObserver.NONE)) {
                // Records keep arriving while the group rebalances, so partitions move with records in their buffers.
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                for (int i = 0; b.metrics().count("anomaly.records.in") == 0 && System.nanoTime() < deadline; i++) {
                    sent.addAll(DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(44 + i, 0.02).next(400)));
                }
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    String counts = String.format("in: a %.0f, b %.0f; scored: a %.0f, b %.0f; sent %d", a.metrics().count("anomaly.records.in"),
                            b.metrics().count("anomaly.records.in"), a.metrics().count("anomaly.records.scored"),
                            b.metrics().count("anomaly.records.scored"), sent.size());
                    assertThat(a.metrics().count("anomaly.records.in") > 4000 && b.metrics().count("anomaly.records.in") > 0
                            && a.metrics().count("anomaly.records.scored") + b.metrics().count("anomaly.records.scored") >= sent.size())
                            .as(counts).isTrue();
                });
            }
        }

        List<ConsumerRecord<byte[], byte[]>> scores = DetectorFixtures.readAll(stack, "rebalance-scores");
        assertThat(scores).as("every record scored exactly once").hasSize(sent.size());
        Map<String, Integer> alertCount = new HashMap<>();
        for (Alert alert : DetectorFixtures.alerts(stack, "rebalance-alerts")) {
            alertCount.merge(DetectorFixtures.key(alert.getSourcePartition(), alert.getSourceOffset()), 1, Integer::sum);
        }
        assertThat(alertCount.values()).as("no alert twice").allMatch(c -> c == 1);
        assertThat(alertCount.keySet()).as("no alert lost").isEqualTo(DetectorFixtures.expectedAlerts(onnx, sent));
    }
}
