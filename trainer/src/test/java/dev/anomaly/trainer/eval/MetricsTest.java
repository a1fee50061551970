package dev.anomaly.trainer.eval;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {
    // scikit-learn's documented example: roc_auc_score = 0.75, average_precision_score = 0.8333...
    private static final double[] SCORES = {0.1, 0.4, 0.35, 0.8};
    private static final int[] LABELS = {0, 0, 1, 1};

    @Test
    void shouldMatchScikitLearnOnItsDocumentedExample() {
        assertThat(Metrics.auroc(SCORES, LABELS)).isCloseTo(0.75, within(1e-12));
        assertThat(Metrics.averagePrecision(SCORES, LABELS)).isCloseTo(0.8333333333, within(1e-9));
    }

    @Test
    void shouldScorePerfectReversedAndTiedRankings() {
        int[] y = {0, 0, 0, 1, 1};
        assertThat(Metrics.auroc(new double[]{1, 2, 3, 4, 5}, y)).isEqualTo(1.0);
        assertThat(Metrics.auroc(new double[]{5, 4, 3, 2, 1}, y)).isEqualTo(0.0);
        assertThat(Metrics.auroc(new double[]{1, 1, 1, 1, 1}, y)).isEqualTo(0.5);
        assertThat(Metrics.averagePrecision(new double[]{1, 2, 3, 4, 5}, y)).isEqualTo(1.0);
        assertThat(Metrics.averagePrecision(new double[]{1, 1, 1, 1, 1}, y)).isCloseTo(0.4, within(1e-12));
    }

    @Test
    void shouldCountConfusionAtThreshold() {
        Metrics.AtThreshold t = Metrics.atThreshold(SCORES, LABELS, 0.37);
        assertThat(t.truePositives()).isEqualTo(1);
        assertThat(t.falsePositives()).isEqualTo(1);
        assertThat(t.falseNegatives()).isEqualTo(1);
        assertThat(t.trueNegatives()).isEqualTo(1);
        assertThat(t.precision()).isEqualTo(0.5);
        assertThat(t.recall()).isEqualTo(0.5);
        assertThat(t.f1()).isEqualTo(0.5);
    }
}
