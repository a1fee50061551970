package dev.anomaly.trainer.nab;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** NAB's scoring rules on series small enough to compute by hand. */
class NabScorerTest {
    /** 100 rows, one window over rows 40..49 (width 10), no probation. */
    private static NabScorer.Series series(int... detections) {
        boolean[] d = new boolean[100];
        for (int i : detections) {
            d[i] = true;
        }
        return new NabScorer.Series(d, List.of(new int[]{40, 49}), 0);
    }

    @Test
    void shouldRewardADetectionAtTheWindowsStartFullyAndOneAtItsEndLess() {
        double start = NabScorer.raw(series(40), NabProfile.STANDARD);
        double end = NabScorer.raw(series(49), NabProfile.STANDARD);

        assertThat(start).isCloseTo(1.0, within(1e-12)); // y = -1: A_TP · σ(-1)/σ(-1)
        // y = -1/10: σ = 2/(1+e^-0.5) - 1 = 0.244919; / σ(-1) = 0.986614
        assertThat(end).isCloseTo((2 / (1 + Math.exp(-0.5)) - 1) / (2 / (1 + Math.exp(-5)) - 1), within(1e-9));
        assertThat(start).isGreaterThan(end);
    }

    @Test
    void shouldCountOnlyTheEarliestDetectionOfAWindow() {
        assertThat(NabScorer.raw(series(40, 45, 49), NabProfile.STANDARD)).isEqualTo(NabScorer.raw(series(40), NabProfile.STANDARD));
    }

    @Test
    void shouldChargeAFalsePositiveTheProfilesWeightFarFromAnyWindowAndLessJustAfterOne() {
        // Before any window: -A_FP, plus the missed window's -A_FN.
        assertThat(NabScorer.raw(series(10), NabProfile.STANDARD)).isCloseTo(-0.11 - 1, within(1e-12));
        assertThat(NabScorer.raw(series(10), NabProfile.REWARD_LOW_FP)).isCloseTo(-0.22 - 1, within(1e-12));
        assertThat(NabScorer.raw(series(10), NabProfile.REWARD_LOW_FN)).isCloseTo(-0.11 - 2, within(1e-12));
        // Just after the window (row 50: y = 1/9): A_FP · σ(1/9), a small cost; far after (row 99: y = 50/9 > 3): -A_FP.
        double justAfter = NabScorer.raw(series(40, 50), NabProfile.STANDARD) - 1;
        assertThat(justAfter).isCloseTo(0.11 * (2 / (1 + Math.exp(5.0 / 9)) - 1), within(1e-12));
        assertThat(NabScorer.raw(series(40, 99), NabProfile.STANDARD) - 1).isCloseTo(-0.11, within(1e-12));
        assertThat(justAfter).isGreaterThan(-0.11);
    }

    @Test
    void shouldIgnoreDetectionsInTheProbationaryPeriod() {
        boolean[] d = new boolean[100];
        d[5] = true;
        d[40] = true;
        assertThat(NabScorer.raw(new NabScorer.Series(d, List.of(new int[]{40, 49}), 15), NabProfile.STANDARD)).isCloseTo(1.0, within(1e-12));
        assertThat(NabScorer.Series.probation(100)).isEqualTo(15);
        assertThat(NabScorer.Series.probation(10_000)).isEqualTo(750);
    }

    @Test
    void shouldNormaliseSoThatTheNullDetectorIsZeroAndThePerfectOneHundred() {
        assertThat(NabScorer.normalised(List.of(series()), NabProfile.STANDARD)).isCloseTo(0, within(1e-12));
        assertThat(NabScorer.normalised(List.of(series(40)), NabProfile.STANDARD)).isCloseTo(100, within(1e-12));
        assertThat(NabScorer.normalised(List.of(series(40), series()), NabProfile.STANDARD)).isCloseTo(50, within(1e-12));
    }

    @Test
    void shouldFindTheThresholdThatScoresBest() {
        double[] scores = new double[100];
        scores[42] = 0.9; // inside the window
        scores[10] = 0.5; // a false positive, below the window's score
        NabScorer.Best best = NabScorer.bestThreshold(List.of(scores), List.of(List.of(new int[]{40, 49})), List.of(0), NabProfile.STANDARD, 100);

        assertThat(best.threshold()).isEqualTo(0.9);
        assertThat(best.score()).isGreaterThan(90);
    }
}
