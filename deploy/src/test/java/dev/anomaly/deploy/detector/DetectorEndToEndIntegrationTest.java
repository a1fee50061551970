package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.detector.topology.DeadLetters;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.deploy.demo.AnomalyKind;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 50k records with injected anomalies and some undecodable ones through the real broker and registry: the alerts are
 * exactly the records whose score (computed offline with the same model) exceeds the threshold, bad records are
 * dead-lettered, nothing is lost; plus /metrics and /health.
 */
@ExtendWith(SharedLocalStack.class)
class DetectorEndToEndIntegrationTest {
    private static final int RECORDS = 50_000;
    private static final int BAD = 100;

    @Test
    void shouldAlertOnExactlyTheRecordsAboveThresholdAndDeadLetterTheRest(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "e2e-telemetry";
        DetectorFixtures.createTopics(stack, input, "e2e");
        byte[] onnx = DetectorFixtures.trainModel("pumps", 1, 0.005);
        Path modelFile = dir.resolve("pumps.onnx");
        Files.write(modelFile, onnx);
        List<LabelledReading> readings = DetectorFixtures.simulator(7, 0.01).next(RECORDS);
        List<DetectorFixtures.Sent> sent = DetectorFixtures.produce(stack, input, readings);
        try (KafkaProducer<byte[], byte[]> p = DetectorFixtures.producer(stack)) {
            for (int i = 0; i < BAD; i++) {
                p.send(new ProducerRecord<>(input, ("bad-" + i).getBytes(StandardCharsets.UTF_8), ("not avro " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }

        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "e2e-detector", input, "e2e", dir.resolve("state"));
        raw.put(DetectorConfig.MODEL_PATH, modelFile.toString());
        long t0 = System.nanoTime();
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                    app.metrics().count("anomaly.records.scored") + app.metrics().count("anomaly.deadletter") >= RECORDS + BAD);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("Detector processed %d records in %.1f s (%.0f records/s incl. start-up)%n", RECORDS + BAD, seconds, (RECORDS + BAD) / seconds);

            HttpClient http = HttpClient.newHttpClient();
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("anomaly_records_scored_total").contains("anomaly_alerts_total")
                    .contains("anomaly_deadletter_total{reason=\"BAD_MAGIC_BYTE\"}").contains("anomaly_model_version")
                    .contains("kafka_stream");
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("pumps v1");
        }

        // Expected alerts: the same model scoring the same records offline.
        Set<String> expected = DetectorFixtures.expectedAlerts(onnx, sent);
        double threshold;
        try (OnnxScoringModel model = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            threshold = model.metadata().threshold();
        }
        List<Alert> alerts = DetectorFixtures.alerts(stack, "e2e-alerts");
        Set<String> actual = alerts.stream().map(a -> DetectorFixtures.key(a.getSourcePartition(), a.getSourceOffset())).collect(Collectors.toSet());
        assertThat(alerts).hasSize(actual.size()); // no duplicates
        assertThat(actual).isEqualTo(expected);
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.getScore()).isGreaterThan(threshold);
            assertThat(a.getModelVersion()).isEqualTo(1);
            assertThat(a.getTopFeatures()).hasSize(3);
        });

        // Injected spikes and broken correlations are caught; few normal records alert.
        Map<String, AnomalyKind> kindAt = new HashMap<>();
        sent.forEach(s -> kindAt.put(DetectorFixtures.key(s.partition(), s.offset()), s.reading().kind()));
        for (AnomalyKind kind : List.of(AnomalyKind.SPIKE, AnomalyKind.BROKEN_CORRELATION)) {
            long injected = kindAt.values().stream().filter(k -> k == kind).count();
            long caught = actual.stream().filter(k -> kindAt.get(k) == kind).count();
            System.out.printf("%s: %d of %d alerted%n", kind, caught, injected);
            assertThat((double) caught / injected).as(kind + " recall").isGreaterThan(0.7);
        }
        long falseAlarms = actual.stream().filter(k -> kindAt.get(k) == AnomalyKind.NONE).count();
        assertThat((double) falseAlarms / RECORDS).isLessThan(0.02);

        List<ConsumerRecord<byte[], byte[]>> dlq = DetectorFixtures.readAll(stack, "e2e-dlq");
        assertThat(dlq).hasSize(BAD);
        assertThat(dlq).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("BAD_MAGIC_BYTE"));
        assertThat(DetectorFixtures.readAll(stack, "e2e-scores")).hasSize(RECORDS);
    }
}
