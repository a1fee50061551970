package dev.anomaly.trainer.eval;

import dev.anomaly.scoring.Baseline;

import java.util.Arrays;

/**
 * Chooses the alert threshold: the (1 - rate) quantile of held-out scores, so that about {@code rate} of records
 * like the held-out ones raise an alert. {@code rate} is the target false-alarm rate (default 1 %) or, when the user
 * knows it, the contamination of the training data.
 */
public final class ThresholdCalibrator {
    private ThresholdCalibrator() {
    }

    public static double calibrate(double[] heldOutScores, double rate) {
        if (heldOutScores.length == 0) {
            throw new IllegalArgumentException("no held-out scores to calibrate on");
        }
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("alert rate must be in (0, 1), got " + rate);
        }
        double[] sorted = heldOutScores.clone();
        Arrays.sort(sorted);
        return Baseline.quantileOfSorted(sorted, 1 - rate);
    }
}
