package dev.anomaly.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ThresholdCalibratorTest {
    @Test
    void shouldPickTheUpperQuantileForTheTargetRate() {
        double[] scores = new double[1000];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = i + 1; // 1..1000
        }
        assertThat(ThresholdCalibrator.calibrate(scores, 0.01)).isCloseTo(990.01, within(1e-9));
        assertThat(ThresholdCalibrator.calibrate(scores, 0.10)).isCloseTo(900.1, within(1e-9));
    }

    @Test
    void shouldFlagAboutTheTargetShareOfFreshRecordsFromTheSameDistribution() {
        SplittableRandom random = new SplittableRandom(3);
        double[] heldOut = random.doubles(20_000).map(u -> -Math.log(1 - u)).toArray(); // exponential scores
        double threshold = ThresholdCalibrator.calibrate(heldOut, 0.02);
        long above = random.doubles(100_000).map(u -> -Math.log(1 - u)).filter(s -> s > threshold).count();
        assertThat(above / 100_000.0).isCloseTo(0.02, within(0.003));
    }

    @Test
    void shouldRejectBadRates() {
        assertThatThrownBy(() -> ThresholdCalibrator.calibrate(new double[]{1, 2}, 0)).hasMessageContaining("alert rate");
        assertThatThrownBy(() -> ThresholdCalibrator.calibrate(new double[0], 0.1)).hasMessageContaining("no held-out scores");
    }
}
