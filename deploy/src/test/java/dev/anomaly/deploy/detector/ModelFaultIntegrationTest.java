package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.FaultyModels;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.trainer.publish.ModelPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Releases that fail on the detector's real batches: one that throws at batch 512 (refused by validation at the
 * configured batch size), one that scores NaN on some live records (accepted, then reverted on live data). The serving
 * model keeps serving throughout and every record is scored by it.
 */
@ExtendWith(SharedLocalStack.class)
class ModelFaultIntegrationTest {
    private static final byte[] clean = DetectorFixtures.trainModel("pumps", 3, 0.01);

    private static float rpmLimitOf(byte[] model) {
        return maxBaselineRpm(model) * 1.05f;
    }

    @Test
    void shouldKeepThePreviousModelServingWhenAReleaseThrowsOrReturnsNaN(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "fault-telemetry";
        DetectorFixtures.createTopics(stack, input, "fault");
        byte[] v1 = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "fault-detector", input, "fault", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("v1.onnx"), v1);
        raw.put("detector.batch.size", "512");
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(51, 0.01).next(2000));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 2000);

            // v2 throws on any batch of 512 rows or more: refused before it serves.
            byte[] v2 = FaultyModels.throwingFromBatchOf(DetectorFixtures.trainModel("pumps", 2, 0.01), 512);
            ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(v2, ReleaseReason.MANUAL, "throws at 512")), "fault-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(60)).until(() -> app.metrics().count("anomaly.model.rejections") >= 1);
            assertThat(app.models().serving().version()).isEqualTo(1);

            // v3 scores NaN where rpm is above anything in its baseline: it passes validation, then fails on live data.
            float rpmLimit = rpmLimitOf(clean);
            byte[] v3 = FaultyModels.nanOnRowsAbove(clean, 0, rpmLimit);
            ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(v3, ReleaseReason.MANUAL, "NaN on high rpm")), "fault-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(60)).until(() -> app.models().serving().version() == 3);
            List<LabelledReading> live = new ArrayList<>(DetectorFixtures.simulator(52, 0.01).next(2000));
            for (int i = 0; i < 2000; i += 100) { // pumps spinning faster than the baseline ever saw
                MachineTelemetry m = live.get(i).reading();
                m.setRpm(rpmLimit * 1.5);
            }
            DetectorFixtures.produce(stack, input, live);
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 4000);
            assertThat(app.metrics().count("anomaly.model.reverts")).isEqualTo(1);
            assertThat(app.models().serving().version()).isEqualTo(1);
            assertThat(app.health().ready()).isTrue();
            assertThat(app.metrics().count("anomaly.deadletter")).as("records the new model could not score were scored by v1").isZero();
        }
        List<Alert> alerts = DetectorFixtures.alerts(stack, "fault-alerts");
        // v3 served real batches during its probation (those without a fast pump scored finite: legitimate alerts),
        // until a batch with one reverted it; v2 never served.
        assertThat(alerts).extracting(Alert::getModelVersion).doesNotContain(2);
        List<Alert> fastPumps = alerts.stream().filter(a -> a.getTopFeatures().stream()
                .anyMatch(f -> f.getName().equals("rpm") && f.getObserved() > rpmLimitOf(clean))).toList();
        assertThat(fastPumps).as("the fast pumps alert, scored by v1").hasSizeGreaterThanOrEqualTo(15)
                .extracting(Alert::getModelVersion).containsOnly(1);
        assertThat(DetectorFixtures.readAll(stack, "fault-scores")).hasSize(4000);
    }

    private static float maxBaselineRpm(byte[] onnx) {
        try (OnnxScoringModel m = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            double[] q = m.metadata().baseline().featureQuantiles().get("rpm");
            return (float) q[q.length - 1];
        }
    }
}
