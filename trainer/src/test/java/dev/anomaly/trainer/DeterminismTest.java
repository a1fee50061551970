package dev.anomaly.trainer;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Same data, config and seed: the same model; same model and record: the same score, every time. */
class DeterminismTest {
    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void shouldTrainTheSameModelTwiceAndScoreIdentically(ModelKind kind) {
        Dataset data = TestData.telemetry(9, 1500, 0.02);
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(kind), data.width(), data.rows()).withEpochs(5);

        TrainingJob.Outcome a = TrainingJob.run(data, config, "det", 1, ProgressListener.NONE);
        TrainingJob.Outcome b = TrainingJob.run(data, config, "det", 1, ProgressListener.NONE);

        assertThat(b.validationScores()).containsExactly(a.validationScores());
        assertThat(b.metadata().threshold()).isEqualTo(a.metadata().threshold());
        assertThat(b.metadata().trainingFingerprint()).isEqualTo(a.metadata().trainingFingerprint());
        try (OnnxScoringModel model = OnnxScoringModel.load(a.onnx(), ScoringOptions.cpu())) {
            Dataset v = a.validation();
            ScoreBatch first = model.score(v.values(), v.rows());
            ScoreBatch again = model.score(v.values(), v.rows());
            assertThat(again.score()).containsExactly(first.score());
            // One record alone scores the same as inside a batch.
            float[] row = java.util.Arrays.copyOf(v.values(), v.width());
            assertThat(model.score(row, 1).score()[0]).isEqualTo(first.score()[0]);

            // The detector's path: the score-only graph for every row, the full one for the rows above the threshold.
            // Scores are exact; contributions, like those of a full run on a smaller batch, may round differently in
            // the last bit (ONNX Runtime's kernels sum in a batch-size-dependent order).
            assertThat(model.hasScoreOnlyGraph()).isTrue();
            double threshold = a.metadata().threshold();
            ScoreBatch alerts = model.scoreExplainingAbove(v.values(), v.rows(), threshold);
            assertThat(alerts.score()).containsExactly(first.score());
            int explained = 0;
            for (int r = 0; r < v.rows(); r++) {
                boolean above = first.score()[r] > threshold;
                explained += above ? 1 : 0;
                for (int c = 0; c < v.width(); c++) {
                    assertThat(alerts.expected(r, c)).isEqualTo(above ? first.expected(r, c) : 0f);
                    float contribution = above ? first.contribution(r, c) : 0f;
                    assertThat(alerts.contribution(r, c)).isCloseTo(contribution, within(1e-6f * (1 + Math.abs(contribution))));
                }
            }
            assertThat(explained).isPositive().isLessThan(v.rows());
        }
    }
}
