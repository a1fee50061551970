package dev.anomaly.detector.drift;

import dev.anomaly.detector.TestModels;
import dev.anomaly.detector.config.DriftSettings;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.scoring.Baseline;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class DriftMonitorTest {
    @Test
    void shouldMeasureNoDriftOnTheBaselineDistributionAndMuchOnAShiftedOne() {
        SplittableRandom r = new SplittableRandom(1);
        double[] p = Baseline.DEFAULT_PROBABILITIES;
        double[] reference = r.doubles(100_000).map(u -> inverseNormal(u)).toArray();
        double[] q = Baseline.quantiles(reference, p);
        double[] same = r.doubles(5_000).map(DriftMonitorTest::inverseNormal).toArray();
        double[] shifted = r.doubles(5_000).map(u -> inverseNormal(u) + 1.0).toArray();

        BaselineCdf baseline = BaselineCdf.of(p, q);
        DriftStatistic psi = new PopulationStabilityIndex(0.25);
        DriftStatistic ks = new KolmogorovSmirnov(0.2);
        Window none = new Window(same, same.length);
        Window drift = new Window(shifted, shifted.length);

        assertThat(psi.of(none, baseline)).isLessThan(0.02);
        assertThat(ks.of(none, baseline)).isLessThan(0.03);
        assertThat(psi.of(drift, baseline)).isGreaterThan(0.5);
        assertThat(ks.of(drift, baseline)).isBetween(0.3, 0.45); // true KS distance of N(0,1) vs N(1,1) is 0.383
        assertThat(psi.measure(drift, baseline)).satisfies(m -> {
            assertThat(m.statistic()).isEqualTo("psi");
            assertThat(m.threshold()).isEqualTo(0.25);
            assertThat(m.fired()).isTrue();
        });
        assertThat(ks.measure(none, baseline).fired()).isFalse();
    }

    @Test
    void shouldMergeRepeatedCutPointsOfADiscreteColumn() {
        BaselineCdf b = BaselineCdf.of(new double[]{0.1, 0.5, 0.9}, new double[]{1, 1, 2});

        assertThat(b.cuts()).containsExactly(1, 2);
        assertThat(b.cdf()).containsExactly(0.5, 0.9);
    }

    @Test
    void shouldEmitOneEventForAShiftedWindowAndRateLimit() {
        try (OnnxScoringModel model = OnnxScoringModel.load(TestModels.centreModel("pumps", 1, 5.0), ScoringOptions.cpu())) {
            ModelMetadata m = model.metadata();
            DriftSettings settings = new DriftSettings(true, "drift", 1000, Duration.ZERO, 0.25, 0.2, 5, Duration.ofMinutes(1));
            DriftMonitor monitor = new DriftMonitor(settings, new DetectorMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
            SplittableRandom r = new SplittableRandom(2);

            assertThat(feed(monitor, model, m, r, 2000, 0.0)).as("no shift").isEmpty();
            List<DriftEvent> events = feed(monitor, model, m, r, 1000, 2.0);
            assertThat(events).hasSize(1);
            DriftEvent e = events.get(0);
            assertThat(e.getModelVersion()).isEqualTo(1);
            assertThat(e.getWindowRecords()).isEqualTo(1000);
            assertThat(e.getFired()).contains("rpm", "score", "alert_rate");
            assertThat(e.getFeatures()).hasSize(6);
            // Every configured statistic, with its threshold, for every distribution; the first version's fields too.
            assertThat(e.getScore().getMeasures()).extracting(dev.anomaly.schemas.avro.DriftMeasure::getStatistic).containsExactly("psi", "ks");
            assertThat(e.getScore().getMeasures()).extracting(dev.anomaly.schemas.avro.DriftMeasure::getThreshold).containsExactly(0.25, 0.2);
            assertThat(e.getScore().getPsi()).isEqualTo(e.getScore().getMeasures().get(0).getValue());
            assertThat(e.getScore().getKs()).isEqualTo(e.getScore().getMeasures().get(1).getValue());
            assertThat(feed(monitor, model, m, r, 3000, 2.0)).as("rate limited").isEmpty();
        }
    }

    @Test
    void shouldCloseAWindowByEventTimeWhenConfigured() {
        try (OnnxScoringModel model = OnnxScoringModel.load(TestModels.centreModel("pumps", 1, 5.0), ScoringOptions.cpu())) {
            // Windows of at most 1000 records or 300 ms of event time; the rows below are 1 ms apart.
            DriftSettings settings = new DriftSettings(true, "drift", 100_000, Duration.ofMillis(300), 0.25, 0.2, 5, Duration.ZERO);
            DriftMonitor monitor = new DriftMonitor(settings, new DetectorMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
            List<DriftEvent> events = feed(monitor, model, model.metadata(), new SplittableRandom(3), 1000, 2.0);
            assertThat(events).hasSize(3);
            assertThat(events).allSatisfy(e -> assertThat(e.getWindowRecords()).isEqualTo(301));
        }
    }

    @Test
    void shouldMeasureATimeClosedWindowOnItsOwnRecordsOnly() {
        try (OnnxScoringModel model = OnnxScoringModel.load(TestModels.centreModel("pumps", 1, 5.0), ScoringOptions.cpu())) {
            // A window closed by time holds far fewer records than the count limit; none of them is shifted.
            DriftSettings settings = new DriftSettings(true, "drift", 100_000, Duration.ofMillis(300), 0.25, 0.2, 5, Duration.ZERO);
            DriftMonitor monitor = new DriftMonitor(settings, new DetectorMetrics(new SimpleMeterRegistry()), Clock.systemUTC());

            assertThat(feed(monitor, model, model.metadata(), new SplittableRandom(4), 1000, 0.0)).isEmpty();
        }
    }

    /** Rows around the test model's centre, shifted by {@code shift} scales on every column. */
    private static List<DriftEvent> feed(DriftMonitor monitor, OnnxScoringModel model, ModelMetadata m, SplittableRandom r, int n, double shift) {
        int w = TestModels.CENTER.length;
        float[] rows = new float[n * w];
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                // the test model's baseline quantiles are centre + scale * (p - 0.5) * 3: uniform over 3 scales
                rows[i * w + j] = (float) (TestModels.CENTER[j] + TestModels.SCALE[j] * ((r.nextDouble() - 0.5) * 3 + shift));
            }
            ts[i] = i;
        }
        ScoreBatch batch = model.score(rows, n);
        return monitor.observe(m, rows, batch, ts);
    }

    private static double inverseNormal(double u) {
        // Box-Muller needs two uniforms; a logistic approximation is enough for a test distribution.
        return Math.log(u / (1 - u)) * 0.5513;
    }
}
