package dev.anomaly.trainer;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrainingJobTest {
    @Test
    void shouldTrainAeAndExportAParityCheckedModelThatSeparatesAnomalies() {
        Dataset data = TestData.telemetry(1, 4000, 0.02);
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), data.width(), data.rows()).withEpochs(30);
        long t0 = System.nanoTime();
        TrainingJob.Outcome outcome = TrainingJob.run(data, config, "pumps", 1, (e, m, tl, vl, b, ms) ->
                System.out.printf("epoch %d/%d loss %.4f val %.4f%n", e, m, tl, vl));
        System.out.printf("trained in %.1f s; %s; eval %s%n", (System.nanoTime() - t0) / 1e9, outcome.parity(), outcome.evaluation());

        assertThat(outcome.parity().passed()).isTrue();
        assertThat(outcome.evaluation()).isPresent();
        assertThat(outcome.evaluation().get().auroc()).isGreaterThan(0.8);
        ModelMetadata m = outcome.metadata();
        assertThat(m.kind()).isEqualTo(ModelKind.AE);
        assertThat(m.featureSpec()).isEqualTo(TestData.TELEMETRY_SPEC);
        try (OnnxScoringModel model = OnnxScoringModel.load(outcome.onnx(), ScoringOptions.cpu())) {
            assertThat(model.metadata().threshold()).isEqualTo(m.threshold());
            Dataset v = outcome.validation();
            ScoreBatch s = model.score(v.values(), v.rows());
            long alerts = 0;
            for (float x : s.score()) {
                alerts += x > m.threshold() ? 1 : 0;
            }
            assertThat((double) alerts / v.rows()).isCloseTo(0.01, within(0.005));
            double sum = 0;
            for (int j = 0; j < v.width(); j++) {
                sum += s.contribution(0, j);
            }
            assertThat(sum).isCloseTo(s.score()[0], within(1e-4 * Math.max(1, Math.abs(s.score()[0]))));
        }
    }

    @Test
    void shouldTrainVaeWithParity() {
        Dataset data = TestData.telemetry(2, 3000, 0.02);
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(ModelKind.VAE), data.width(), data.rows()).withEpochs(20);
        long t0 = System.nanoTime();
        TrainingJob.Outcome outcome = TrainingJob.run(data, config, "pumps", 1, (e, m, tl, vl, b, ms) ->
                System.out.printf("epoch %d/%d loss %.4f val %.4f%n", e, m, tl, vl));
        System.out.printf("trained in %.1f s; %s; eval %s%n", (System.nanoTime() - t0) / 1e9, outcome.parity(), outcome.evaluation());
        assertThat(outcome.parity().passed()).isTrue();
        assertThat(outcome.evaluation().get().auroc()).isGreaterThan(0.7);
    }
}
