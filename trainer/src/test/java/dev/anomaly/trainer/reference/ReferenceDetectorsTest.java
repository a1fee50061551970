package dev.anomaly.trainer.reference;

import dev.anomaly.trainer.eval.Metrics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Each reference detector finds points far from a correlated Gaussian cloud, and the forest is reproducible by seed. */
class ReferenceDetectorsTest {
    private static final int W = 4;

    /** Rows on a correlated cloud; anomalies break the correlation (they are not extreme in any one column). */
    private static float[] rows(int n, boolean anomalous, SplittableRandom r) {
        float[] x = new float[n * W];
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            double t = anomalous ? Math.signum(g) * (1.5 + Math.abs(g)) : g; // anomalies: far enough out that the sign flip shows
            x[i * W] = (float) (t + 0.1 * r.nextGaussian());
            x[i * W + 1] = (float) ((anomalous ? -t : t) + 0.1 * r.nextGaussian());
            x[i * W + 2] = (float) (2 * t + 0.1 * r.nextGaussian());
            x[i * W + 3] = (float) r.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @ValueSource(strings = {"iforest", "knn", "pca"})
    void shouldRankRecordsThatBreakTheCorrelationAboveNormalOnes(String name) {
        SplittableRandom r = new SplittableRandom(1);
        float[] train = rows(1000, false, r);
        float[] normal = rows(200, false, r);
        float[] odd = rows(20, true, r);
        float[] test = new float[220 * W];
        System.arraycopy(normal, 0, test, 0, normal.length);
        System.arraycopy(odd, 0, test, normal.length, odd.length);
        int[] labels = new int[220];
        java.util.Arrays.fill(labels, 200, 220, 1);

        double[] scores = ReferenceDetectors.named(name).fitScore(train, 1000, test, 220, W, 7);

        double auroc = Metrics.auroc(scores, labels);
        System.out.printf("%s: AUROC %.3f%n", name, auroc);
        assertThat(auroc).isGreaterThan(0.9);
    }

    @Test
    void shouldGiveTheSameForestForTheSameSeedAndAnotherForAnother() {
        SplittableRandom r = new SplittableRandom(2);
        float[] train = rows(500, false, r);
        float[] test = rows(50, true, r);
        IsolationForest forest = new IsolationForest();

        assertThat(forest.fitScore(train, 500, test, 50, W, 3)).containsExactly(forest.fitScore(train, 500, test, 50, W, 3));
        assertThat(forest.fitScore(train, 500, test, 50, W, 3)).isNotEqualTo(forest.fitScore(train, 500, test, 50, W, 4));
    }

    @Test
    void shouldScoreTheDistanceToTheFifthNearestNeighbourInStandardUnits() {
        // One column, training values 0..9 (sd 3.03); the 5th nearest to 4.0 is at distance 2 (2, 3, 4, 5, 6 are closest).
        float[] train = new float[10];
        for (int i = 0; i < 10; i++) {
            train[i] = i;
        }
        double sd = Math.sqrt(java.util.stream.IntStream.range(0, 10).mapToDouble(i -> (i - 4.5) * (i - 4.5)).sum() / 9);

        double[] s = new NearestNeighbours(5).fitScore(train, 10, new float[]{4f}, 1, 1, 0);

        assertThat(s[0]).isCloseTo(2 / sd, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void shouldUseThePathLengthNormaliserOfABinarySearchTree() {
        assertThat(IsolationForest.averagePath(256)).isCloseTo(10.2448, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(IsolationForest.averagePath(2)).isEqualTo(1.0);
        assertThat(IsolationForest.averagePath(1)).isZero();
    }
}
