package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.trainer.publish.ModelPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A new model version published on the models topic mid-stream is swapped in; a broken release is rejected. */
@ExtendWith(SharedLocalStack.class)
class ModelSwapIntegrationTest {
    @Test
    void shouldSwapInANewReleaseAndRejectABrokenOne(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "swap-telemetry";
        DetectorFixtures.createTopics(stack, input, "swap");
        byte[] v1 = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "swap-detector", input, "swap", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("v1.onnx"), v1);
        raw.put("processing.guarantee", "at_least_once");
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(31, 0.02).next(5000));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 5000);

            // v2: same data, a threshold for a 20 % alert rate, so its alerts are easy to tell apart.
            ModelRelease v2 = ModelPublisher.release(DetectorFixtures.trainModel("pumps", 2, 0.2), ReleaseReason.MANUAL, "test");
            ModelPublisher.publish(DetectorFixtures.signed(v2), "swap-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.models().metadata().orElseThrow().version() == 2);

            // v3 is broken: rejected, v2 keeps serving.
            ModelRelease v3 = ModelRelease.newBuilder(v2).setVersion(3).setOnnx(ByteBuffer.wrap(new byte[]{1, 2, 3})).build();
            ModelPublisher.publish(DetectorFixtures.signed(v3), "swap-models", stack.clientConfig());
            await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().count("anomaly.model.rejections") >= 1);
            assertThat(app.models().metadata().orElseThrow().version()).isEqualTo(2);

            DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(32, 0.02).next(5000));
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 10_000);
        }
        List<Alert> alerts = DetectorFixtures.alerts(stack, "swap-alerts");
        long fromV1 = alerts.stream().filter(a -> a.getModelVersion() == 1).count();
        long fromV2 = alerts.stream().filter(a -> a.getModelVersion() == 2).count();
        System.out.printf("alerts: %d from v1, %d from v2%n", fromV1, fromV2);
        assertThat(fromV1).isPositive();
        assertThat(fromV2).isGreaterThan(500); // ~20 % of 5000
        assertThat(alerts).noneMatch(a -> a.getModelVersion() == 3);
        // Offsets scored by v2 all come after every offset scored by v1, per partition.
        for (int p = 0; p < 4; p++) {
            int partition = p;
            long lastV1 = alerts.stream().filter(a -> a.getSourcePartition() == partition && a.getModelVersion() == 1)
                    .mapToLong(Alert::getSourceOffset).max().orElse(-1);
            long firstV2 = alerts.stream().filter(a -> a.getSourcePartition() == partition && a.getModelVersion() == 2)
                    .mapToLong(Alert::getSourceOffset).min().orElse(Long.MAX_VALUE);
            assertThat(lastV1).isLessThan(firstV2);
        }
    }
}
