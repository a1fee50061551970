package dev.anomaly.scoring;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link BatchScorer}'s own logic, on a model whose answers the test knows: its score is the row's first value. */
class BatchScorerTest {
    /** Scores a row as its first value; fails any call that holds a row starting with a negative value. */
    private static final class FirstValueModel implements ScoringModel {
        private final ModelMetadata metadata = new ModelMetadata("m", 1, ModelKind.AE, FeatureSpec.of(Feature.numeric("a"), Feature.numeric("b")),
                10.0, 0.01, new Baseline(Baseline.DEFAULT_PROBABILITIES, new double[Baseline.DEFAULT_PROBABILITIES.length], Map.of(), 1),
                "sha256:test", Map.of(), Map.of(), Instant.EPOCH);
        int calls;

        @Override
        public ModelMetadata metadata() {
            return metadata;
        }

        @Override
        public int width() {
            return 2;
        }

        @Override
        public ScoreBatch score(float[] input, int rows) {
            calls++;
            float[] score = new float[rows];
            for (int i = 0; i < rows; i++) {
                if (input[2 * i] < 0) {
                    throw new ModelException("negative input");
                }
                score[i] = input[2 * i];
            }
            return new ScoreBatch(rows, 2, score, new float[2 * rows], new float[2 * rows]);
        }

        @Override
        public void close() {
        }
    }

    private static float[] rows(float... first) {
        float[] out = new float[2 * first.length];
        for (int i = 0; i < first.length; i++) {
            out[2 * i] = first[i];
        }
        return out;
    }

    @Test
    void shouldReportNonFiniteScoresAsFaults() {
        FirstValueModel m = new FirstValueModel();
        ScoreBatch b = BatchScorer.score(m, rows(1, Float.NaN, 3, Float.POSITIVE_INFINITY), 4);
        assertThat(BatchScorer.nonFinite(b, 10)).extracting(BatchScorer.Fault::row).containsExactly(11, 13);
        assertThat(BatchScorer.nonFinite(b, 0)).allSatisfy(f -> assertThat(f.reason()).isEqualTo(BatchScorer.Fault.NOT_FINITE_SCORE));
    }

    @Test
    void shouldFindTheRowsAModelThrowsOnAndScoreTheRest() {
        FirstValueModel m = new FirstValueModel();
        float[] values = rows(1, 2, -1, 4, 5, 6, 7, -2, 9);
        BatchScorer.Result r = BatchScorer.isolate(m, values, 9, new ModelException("whole batch"));
        assertThat(r.faults()).extracting(BatchScorer.Fault::row).containsExactly(2, 7);
        assertThat(r.faults()).allSatisfy(f -> assertThat(f.message()).contains("negative input"));
        assertThat(r.batch().score()).containsExactly(1, 2, Float.NaN, 4, 5, 6, 7, Float.NaN, 9);
        assertThat(m.calls).as("halving needs a few calls, not one per row").isLessThan(9 * 2);
    }

    @Test
    void shouldScoreAnEmptyBatchWithoutCallingTheModel() {
        FirstValueModel m = new FirstValueModel();
        assertThat(BatchScorer.score(m, new float[0], 0).rows()).isZero();
        assertThat(m.calls).isZero();
    }
}
