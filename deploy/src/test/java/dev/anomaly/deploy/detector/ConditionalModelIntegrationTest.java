package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.demo.AnomalyKind;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.family.ConditionalVae;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A conditional VAE (conditioned on the pump's {@code mode}) served by the detector, unchanged, on the real broker and
 * registry: the condition is read from each Avro record like any other feature. Readings taken in BOOST but reported as
 * IDLE — each value normal for some mode, wrong for the one reported — are caught; the alerts are exactly the records
 * the model scores above its threshold offline.
 */
@ExtendWith(SharedLocalStack.class)
class ConditionalModelIntegrationTest {

    @Test
    void shouldScoreACvaeWithItsConditionReadFromTheAvroRecord(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "cvae-telemetry";
        DetectorFixtures.createTopics(stack, input, "cvae");
        List<GenericRecord> history = new ArrayList<>();
        DetectorFixtures.simulator(100, 0.0).next(4000).forEach(r -> history.add(r.reading()));
        Dataset data = RecordData.toDataset(history, DetectorFixtures.SPEC, Optional.empty(), "simulated history");
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.named("cvae", Map.of(ConditionalVae.CONDITION, "mode")),
                data.width(), data.rows()).withEpochs(30);
        TrainingJob.Outcome trained = TrainingJob.run(data, config, "pumps-by-mode", 1, ProgressListener.NONE);
        assertThat(trained.metadata().kind()).isEqualTo(ModelKind.VAE);
        assertThat(trained.metadata().hyperParameters()).containsEntry(ConditionalVae.CONDITION, "mode");
        Path modelFile = dir.resolve("pumps-by-mode.onnx");
        Files.write(modelFile, trained.onnx());

        List<LabelledReading> readings = new ArrayList<>(DetectorFixtures.simulator(7, 0.0).next(3000));
        int misreported = 0;
        for (LabelledReading r : DetectorFixtures.simulator(8, 0.0).next(3000)) {
            if ("BOOST".equals(r.reading().getMode().toString())) {
                MachineTelemetry wrong = MachineTelemetry.newBuilder(r.reading()).setMode("IDLE").build();
                readings.add(new LabelledReading(wrong, AnomalyKind.BROKEN_CORRELATION));
                misreported++;
            }
        }
        assertThat(misreported).isGreaterThan(100);
        List<DetectorFixtures.Sent> sent = DetectorFixtures.produce(stack, input, readings);

        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "cvae-detector", input, "cvae", dir.resolve("state"));
        raw.put(DetectorConfig.MODEL_PATH, modelFile.toString());
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() ->
                    app.metrics().count("anomaly.records.scored") >= readings.size());
        }

        Set<String> expected = DetectorFixtures.expectedAlerts(trained.onnx(), sent);
        List<Alert> alerts = DetectorFixtures.alerts(stack, "cvae-alerts");
        Set<String> actual = alerts.stream().map(a -> DetectorFixtures.key(a.getSourcePartition(), a.getSourceOffset()))
                .collect(Collectors.toSet());
        assertThat(alerts).hasSize(actual.size());
        assertThat(actual).isEqualTo(expected);

        long caught = sent.stream().filter(s -> s.reading().kind() != AnomalyKind.NONE)
                .filter(s -> actual.contains(DetectorFixtures.key(s.partition(), s.offset()))).count();
        long falseAlarms = sent.stream().filter(s -> s.reading().kind() == AnomalyKind.NONE)
                .filter(s -> actual.contains(DetectorFixtures.key(s.partition(), s.offset()))).count();
        System.out.printf("cvae on the broker: %d of %d BOOST readings reported as IDLE alerted; %d of 3000 normal readings%n",
                caught, misreported, falseAlarms);
        assertThat((double) caught / misreported).isGreaterThan(0.9);
        assertThat(falseAlarms).isLessThan(150);
    }
}
