package dev.anomaly.trainer.generate;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.TestData;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.export.OnnxImporter;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A VAE trained on telemetry generates telemetry: records its own model finds normal, with the data's means and spreads. */
class GeneratorTest {
    private static Dataset data;
    private static byte[] vae;

    @BeforeAll
    static void train() {
        data = TestData.telemetry(3, 6000, 0.0);
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(ModelKind.VAE), data.width(), data.rows()).withEpochs(60);
        vae = TrainingJob.run(data, config, "pumps", 1, ProgressListener.NONE).onnx();
    }

    /**
     * This data's mode is a band of speeds and its valve a 10 % switch: near the bands' edges and between the valve's two
     * states the prior meets regions no training record encoded, so the share above the threshold is higher than on the
     * demo's numeric data (where {@code SampleCliTest} holds it to 5 %). What must hold: the records are far more normal
     * than the same columns drawn independently, discrete columns hold valid values, means lie within 0.3
     * standard deviations (60 epochs on 6,000 rows; samples lean to the open valve) and spreads within 25 %.
     */
    @Test
    void shouldDrawRecordsItsOwnModelFindsFarMoreNormalThanIndependentColumnsWithTheDatasMeansAndSpreads() {
        Generator generator = Generator.of(OnnxImporter.read(vae).network(), data.spec());
        int n = 10_000;
        int w = data.width();
        float[] samples = generator.sample(n, new SplittableRandom(1));
        float[] independent = new float[n * w];
        SplittableRandom random = new SplittableRandom(1);
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < w; j++) { // each column from a random training row: the marginals without the joint structure
                independent[r * w + j] = data.values()[random.nextInt(data.rows()) * w + j];
            }
        }

        double above = shareAboveThreshold(samples, n);
        double independentAbove = shareAboveThreshold(independent, n);
        System.out.printf("sampled %d: %.2f %% above the threshold (independent columns: %.2f %%)%n", n, 100 * above, 100 * independentAbove);
        assertThat(above).as("share of samples above the threshold").isLessThan(independentAbove / 3);
        for (int r = 0; r < n; r++) {
            assertThat(samples[r * w + 6]).as("valveOpen").isIn(0f, 1f);
            assertThat(samples[r * w + 7] + samples[r * w + 8] + samples[r * w + 9] + samples[r * w + 10]).as("mode one-hot").isEqualTo(1f);
        }
        for (int j = 0; j < 6; j++) { // the numeric columns
            double[] train = moments(data.values(), data.rows(), w, j);
            double[] sampled = moments(samples, n, w, j);
            System.out.printf("%-14s training mean %10.4f sd %9.4f | sampled mean %10.4f sd %9.4f%n", data.spec().columnName(j),
                    train[0], train[1], sampled[0], sampled[1]);
            assertThat(Math.abs(sampled[0] - train[0]) / train[1]).as(data.spec().columnName(j) + " mean, in training sds").isLessThan(0.3);
            assertThat(sampled[1] / train[1]).as(data.spec().columnName(j) + " sd ratio").isBetween(0.75, 1.25);
        }
    }

    private static double shareAboveThreshold(float[] rows, int n) {
        try (OnnxScoringModel model = OnnxScoringModel.load(vae, ScoringOptions.cpu())) {
            ModelMetadata meta = model.metadata();
            long above = 0;
            for (float v : model.score(rows, n).score()) {
                above += meta.isAlert(v) ? 1 : 0;
            }
            return (double) above / n;
        }
    }

    @Test
    void shouldDrawTheSameRecordsFromTheSameSeed() {
        Generator generator = Generator.of(OnnxImporter.read(vae).network(), data.spec());

        assertThat(generator.sample(50, new SplittableRandom(7))).containsExactly(generator.sample(50, new SplittableRandom(7)));
        assertThat(generator.sample(50, new SplittableRandom(7))).isNotEqualTo(generator.sample(50, new SplittableRandom(8)));
    }

    @Test
    void shouldInterpolateFromOneRecordsReconstructionToTheOthers() {
        Generator generator = Generator.of(OnnxImporter.read(vae).network(), data.spec());
        int w = data.width();
        float[] a = java.util.Arrays.copyOfRange(data.values(), 0, w);
        float[] b = java.util.Arrays.copyOfRange(data.values(), 700 * w, 701 * w); // half a daily cycle later: another load
        float[] line = generator.interpolate(a, b, 5);

        assertThat(line).hasSize(5 * w);
        // rpm moves monotonically from near A's to near B's.
        double step = line[w] - line[0];
        for (int s = 1; s < 5; s++) {
            assertThat((line[s * w] - line[(s - 1) * w]) * Math.signum(step)).isPositive();
        }
        assertThat(Math.abs(line[0] - a[0])).isLessThan(Math.abs(line[0] - b[0]));
        assertThat(Math.abs(line[4 * w] - b[0])).isLessThan(Math.abs(line[4 * w] - a[0]));
    }

    @Test
    void shouldRefuseAPlainAutoencoder() {
        Dataset small = TestData.telemetry(4, 600, 0.0);
        byte[] ae = TrainingJob.run(small, TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), small.width(), small.rows()).withEpochs(2),
                "pumps", 1, ProgressListener.NONE).onnx();

        assertThatThrownBy(() -> Generator.of(OnnxImporter.read(ae).network(), small.spec()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("ae models cannot be sampled");
    }

    private static double[] moments(float[] rows, int n, int w, int j) {
        double mean = 0;
        for (int r = 0; r < n; r++) {
            mean += rows[r * w + j];
        }
        mean /= n;
        double var = 0;
        for (int r = 0; r < n; r++) {
            double d = rows[r * w + j] - mean;
            var += d * d;
        }
        return new double[]{mean, Math.sqrt(var / (n - 1))};
    }
}
