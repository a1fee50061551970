package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.publish.ModelPublisher;
import dev.anomaly.trainer.retrain.RetrainConfig;
import dev.anomaly.trainer.retrain.RetrainJob;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The loop on the real broker and registry: train on regime A, stream A (few alerts), shift to regime B (alert rate
 * jumps, a drift event is emitted), the retraining job trains on B and publishes v2, the detector swaps, the alert
 * rate on B falls back near the target, and alerts carry v2.
 */
@ExtendWith(SharedLocalStack.class)
class DriftRetrainingIntegrationTest {
    @Test
    void shouldDetectDriftRetrainAndRecover(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "drift-telemetry";
        DetectorFixtures.createTopics(stack, input, "drift");
        stack.createTopic("drift-events", 1);
        TelemetrySimulator sim = new TelemetrySimulator(3, 10, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofMinutes(3), 0.005);
        List<GenericRecord> history = new ArrayList<>();
        sim.next(5000).forEach(r -> history.add(r.reading()));
        Dataset data = RecordData.toDataset(history, DetectorFixtures.SPEC, Optional.empty(), "regime A history");
        byte[] v1 = TrainingJob.run(data, TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), data.width(), data.rows()).withEpochs(40), "pumps", 1,
                ProgressListener.NONE).onnx();
        ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(v1, ReleaseReason.INITIAL, "regime A")), "drift-models", stack.clientConfig());

        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "drift-detector", input, "drift", dir.resolve("state"));
        raw.put(DetectorConfig.MODEL_ID, "pumps");
        raw.put("detector.drift.enabled", "true");
        raw.put("detector.drift.topic", "drift-events");
        raw.put("detector.drift.window.records", "1500");
        raw.put("detector.drift.min.interval.ms", "5000");
        raw.put("processing.guarantee", "at_least_once");
        Map<String, String> retrain = new HashMap<>();
        retrain.put("bootstrap.servers", stack.bootstrapServers());
        retrain.put("schema.registry.url", stack.schemaRegistryUrl());
        retrain.put("retrain.drift.topic", "drift-events");
        retrain.put("retrain.models.topic", "drift-models");
        retrain.put("retrain.input.topic", input);
        retrain.put("retrain.alerts.topic", "drift-alerts");
        retrain.put("retrain.model.id", "pumps");
        retrain.put("retrain.signing.key.file", DetectorFixtures.signingKeyFile().toString());
        retrain.put("retrain.records.last", "6000");
        RetrainJob job = new RetrainJob(RetrainConfig.fromMap(retrain));
        AtomicBoolean stop = new AtomicBoolean();
        List<RetrainJob.Outcome> outcomes = new CopyOnWriteArrayList<>();
        Thread retrainer = new Thread(() -> outcomes.addAll(job.run(stop::get)), "retrainer");

        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw))) {
            retrainer.start();
            // Regime A: few alerts, no drift.
            DetectorFixtures.produce(stack, input, sim.next(6000));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 6000);
            double alertsA = app.metrics().count("anomaly.alerts");
            assertThat(alertsA / 6000).as("alert rate on regime A").isLessThan(0.03);
            assertThat(app.metrics().count("anomaly.drift.events")).isZero();

            // Regime B: faster, hotter pumps.
            sim.shiftRegime(1.3, 6.0);
            DetectorFixtures.produce(stack, input, sim.next(8000));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 14_000);
            double alertRateShifted = (app.metrics().count("anomaly.alerts") - alertsA) / 8000;
            System.out.printf("alert rate: regime A %.4f, regime B on v1 %.4f%n", alertsA / 6000, alertRateShifted);
            assertThat(alertRateShifted).as("alert rate jumps on regime B").isGreaterThan(0.1);
            await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().count("anomaly.drift.events") >= 1);

            // The job retrains on B and publishes v2; the detector swaps it in.
            await().atMost(Duration.ofMinutes(3)).until(() -> app.models().metadata().orElseThrow().version() == 2);
            double alertsBefore = app.metrics().count("anomaly.alerts");
            double scoredBefore = app.metrics().count("anomaly.records.scored");
            DetectorFixtures.produce(stack, input, sim.next(6000));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= scoredBefore + 6000);
            double alertRateAfterSwap = (app.metrics().count("anomaly.alerts") - alertsBefore) / 6000;
            System.out.printf("alert rate on regime B with v2: %.4f; retraining outcomes %s%n", alertRateAfterSwap, outcomes);
            assertThat(alertRateAfterSwap).as("alert rate back near the 1 % target").isLessThan(0.03);
        } finally {
            stop.set(true);
            retrainer.join(30_000);
        }
        // Every drift event about v1 (one per task and window) led to exactly one release of v2.
        assertThat(outcomes.stream().filter(o -> o.published() && o.version() == 2).count()).as("one drift, one release").isEqualTo(1);
        // A restarted job that sees the same event again does not retrain.
        String firstEvent = driftEvents(stack).get(0).getEventId();
        RetrainJob.Outcome again = job.handle(driftEvents(stack).stream().filter(e -> e.getEventId().equals(firstEvent)).findFirst().orElseThrow());
        assertThat(again.published()).isFalse();
        List<Alert> alerts = DetectorFixtures.alerts(stack, "drift-alerts");
        assertThat(alerts).anyMatch(a -> a.getModelVersion() == 2);
        List<DriftEvent> events = driftEvents(stack);
        assertThat(events).isNotEmpty();
        assertThat(events.get(0).getModelVersion()).isEqualTo(1);
        assertThat(events.get(0).getFired()).contains("score", "alert_rate");
        assertThat(events).anyMatch(e -> e.getFired().contains("rpm")); // the shifted speed itself is seen as feature drift
    }

    private static List<DriftEvent> driftEvents(LocalStack stack) {
        SpecificAvroSerde<DriftEvent> serde = new SpecificAvroSerde<>(DriftEvent.class);
        serde.configure(stack.clientConfig(), false);
        return DetectorFixtures.readAll(stack, "drift-events").stream().map(r -> serde.deserializer().deserialize("drift-events", r.value())).toList();
    }
}
