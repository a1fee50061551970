package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.publish.ModelPublisher;
import dev.anomaly.trainer.retrain.RetrainConfig;
import dev.anomaly.trainer.retrain.RetrainJob;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The retraining loop cannot be poisoned by a burst of anomalies: with 30 % of the recent records anomalous (and
 * alerted on by the serving model), the retrained model still flags at least 80 % of those anomalies, because the
 * job leaves out the alerted records, highest score first, up to retrain.max.trimmed of them.
 */
@ExtendWith(SharedLocalStack.class)
class RetrainPoisoningIntegrationTest {
    @Test
    void shouldNotLearnABurstOfAnomaliesAsNormal(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "poison-telemetry";
        DetectorFixtures.createTopics(stack, input, "poison");
        byte[] v1 = DetectorFixtures.trainModel("pumps", 1, 0.01);
        ModelPublisher.publish(DetectorFixtures.signed(ModelPublisher.release(v1, ReleaseReason.INITIAL, "clean history")),
                "poison-models", stack.clientConfig());
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "poison-detector", input, "poison", dir.resolve("state"));
        raw.put(DetectorConfig.MODEL_ID, "pumps");
        raw.put("processing.guarantee", "at_least_once");
        List<LabelledReading> recent = DetectorFixtures.simulator(77, 0.3).next(5000);

        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            DetectorFixtures.produce(stack, input, recent);
            await().atMost(Duration.ofMinutes(1)).until(() -> app.metrics().count("anomaly.records.scored") >= 5000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> DetectorFixtures.readAll(stack, "poison-alerts").size()
                >= recent.stream().filter(LabelledReading::isAnomaly).count() / 2);

        Map<String, String> retrain = new HashMap<>();
        retrain.put("bootstrap.servers", stack.bootstrapServers());
        retrain.put("schema.registry.url", stack.schemaRegistryUrl());
        retrain.put("retrain.models.topic", "poison-models");
        retrain.put("retrain.input.topic", input);
        retrain.put("retrain.alerts.topic", "poison-alerts");
        retrain.put("retrain.model.id", "pumps");
        retrain.put("retrain.records.last", "5000");
        retrain.put("retrain.epochs", "30");
        retrain.put("retrain.signing.key.file", DetectorFixtures.signingKeyFile().toString());
        RetrainJob.Outcome outcome = new RetrainJob(RetrainConfig.fromMap(retrain)).handle(null);
        System.out.println("retraining: " + outcome);
        assertThat(outcome.published()).as(outcome.reason()).isTrue();

        List<LabelledReading> anomalies = recent.stream().filter(LabelledReading::isAnomaly).toList();
        double before = recall(v1, anomalies);
        double after = recall(release(stack, outcome.version()), anomalies);
        System.out.printf("%d of %d recent records anomalous; recall on them: v1 %.3f, retrained v%d %.3f%n", anomalies.size(),
                recent.size(), before, outcome.version(), after);
        assertThat(anomalies.size()).isBetween(1300, 1700);
        assertThat(after).as("recall of the retrained model on the burst").isGreaterThanOrEqualTo(0.8);
    }

    private static byte[] release(LocalStack stack, int version) {
        SpecificAvroSerde<ModelRelease> serde = new SpecificAvroSerde<>(ModelRelease.class);
        serde.configure(stack.clientConfig(), false);
        return DetectorFixtures.readAll(stack, "poison-models").stream().map(r -> serde.deserializer().deserialize("poison-models", r.value()))
                .filter(r -> r.getVersion() == version).findFirst().orElseThrow().getOnnx().array();
    }

    private static double recall(byte[] onnx, List<LabelledReading> anomalies) {
        try (OnnxScoringModel model = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            ModelMetadata m = model.metadata();
            List<GenericRecord> records = anomalies.stream().map(r -> (GenericRecord) r.reading()).toList();
            Dataset d = RecordData.toDataset(records, m.featureSpec(), Optional.empty(), "anomalies");
            long flagged = 0;
            for (float s : model.score(d.values(), d.rows()).score()) {
                flagged += m.isAlert(s) ? 1 : 0;
            }
            return (double) flagged / d.rows();
        }
    }
}
