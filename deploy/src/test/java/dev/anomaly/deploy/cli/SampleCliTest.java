package dev.anomaly.deploy.cli;

import dev.anomaly.deploy.cli.TrainAndScoreCliTest.Run;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static dev.anomaly.deploy.cli.TrainAndScoreCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code anomaly sample} on the demo's data, as the VAE issue accepts it: 10,000 records drawn from a default VAE, of
 * which at most 5 % score above its threshold, with each feature's mean within 0.1 training standard deviations and its
 * standard deviation within 25 % of the training data's.
 */
class SampleCliTest {
    private static final List<String> NUMERIC = List.of("rpm", "powerKw", "temperatureC", "vibrationMm", "pressureBar", "flowM3h");

    @TempDir
    static Path dir;
    static Path history;
    static Path vae;

    @BeforeAll
    static void train() {
        history = dir.resolve("history.csv");
        vae = dir.resolve("vae.onnx");
        assertThat(run("simulate", "--out", history.toString(), "--records", "10000", "--seed", "1").code()).isZero();
        Run r = run("train", "--data", history.toString(), "--label-column", "label", "--model", "vae", "--out", vae.toString(),
                "--no-report", "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void shouldDrawRecordsTheModelScoresAsNormalWithTheTrainingDatasMeansAndSpreads() throws IOException {
        Path out = dir.resolve("synthetic.csv");
        Run r = run("sample", "--model", vae.toString(), "-n", "10000", "--seed", "1", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();

        Table samples = Table.read(out);
        Table training = Table.read(history);
        assertThat(samples.rows()).isEqualTo(10_000);
        try (OnnxScoringModel model = OnnxScoringModel.load(Files.readAllBytes(vae), ScoringOptions.cpu())) {
            ModelMetadata meta = model.metadata();
            float[] input = new float[samples.rows() * NUMERIC.size()];
            for (int i = 0; i < samples.rows(); i++) {
                for (int j = 0; j < NUMERIC.size(); j++) {
                    input[i * NUMERIC.size() + j] = (float) samples.column(meta.featureSpec().columnName(j))[i];
                }
            }
            ScoreBatch scores = model.score(input, samples.rows());
            long above = 0;
            for (float s : scores.score()) {
                above += meta.isAlert(s) ? 1 : 0;
            }
            System.out.printf("sampled %d: %d above the threshold (%.2f %%)%n", samples.rows(), above, 100.0 * above / samples.rows());
            assertThat((double) above / samples.rows()).as("share above the threshold").isLessThanOrEqualTo(0.05);
        }
        for (String column : NUMERIC) {
            double[] t = moments(training.column(column));
            double[] s = moments(samples.column(column));
            System.out.printf("%-14s training mean %10.4f sd %9.4f | sampled mean %10.4f sd %9.4f%n", column, t[0], t[1], s[0], s[1]);
            assertThat(Math.abs(s[0] - t[0]) / t[1]).as(column + " mean shift in training sds").isLessThan(0.1);
            assertThat(s[1] / t[1]).as(column + " sd ratio").isBetween(0.75, 1.25);
        }
    }

    @Test
    void shouldDrawTheSameRecordsFromTheSameSeed() throws IOException {
        Path a = dir.resolve("a.csv");
        Path b = dir.resolve("b.csv");
        Path c = dir.resolve("c.csv");
        assertThat(run("sample", "--model", vae.toString(), "-n", "20", "--seed", "7", "--out", a.toString()).code()).isZero();
        assertThat(run("sample", "--model", vae.toString(), "-n", "20", "--seed", "7", "--out", b.toString()).code()).isZero();
        assertThat(run("sample", "--model", vae.toString(), "-n", "20", "--seed", "8", "--out", c.toString()).code()).isZero();

        assertThat(Files.readString(a)).isEqualTo(Files.readString(b)).isNotEqualTo(Files.readString(c));
    }

    @Test
    void shouldInterpolateBetweenTwoRowsOfTheData() throws IOException {
        Path out = dir.resolve("line.csv");
        Run r = run("sample", "--model", vae.toString(), "--interpolate", "1,700", "--data", history.toString(), "--steps", "6",
                "--out", out.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Table.read(out).rows()).isEqualTo(6);
    }

    @Test
    void shouldRefuseAPlainAutoencoderWithExitCode2() throws IOException {
        Path ae = dir.resolve("ae.onnx");
        assertThat(run("train", "--data", history.toString(), "--label-column", "label", "--model", "ae", "--epochs", "2",
                "--out", ae.toString(), "--no-report", "--quiet").code()).isZero();

        Run r = run("sample", "--model", ae.toString(), "-n", "10", "--out", dir.resolve("x.csv").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("ae models cannot be sampled").contains("--model vae");
        assertThat(dir.resolve("x.csv")).doesNotExist();
    }

    /**
     * A cvae conditioned on a number (rpm cut in 3 quantile buckets) from a CSV: trained, scored from the same CSV (its
     * rpm column cut at the model's edges) and sampled under a given rpm, every sample in that rpm's bucket.
     */
    @Test
    void shouldTrainScoreAndSampleACvaeConditionedOnABucketedColumn() throws IOException {
        Path cvae = dir.resolve("cvae.onnx");
        Run trained = run("train", "--data", history.toString(), "--label-column", "label", "--model", "cvae", "--condition", "rpm:3",
                "--epochs", "10", "--out", cvae.toString(), "--no-report", "--quiet");
        assertThat(trained.code()).as(trained.err()).isZero();
        Run scored = run("score", "--model", cvae.toString(), "--data", history.toString(), "--out", dir.resolve("cvae-scores.csv").toString());
        assertThat(scored.code()).as(scored.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("cvae-scores.csv"))).hasSize(10_001);

        Path out = dir.resolve("cvae-samples.csv");
        Run sampled = run("sample", "--model", cvae.toString(), "-n", "200", "--condition", "rpm=2000", "--out", out.toString());
        assertThat(sampled.code()).as(sampled.err()).isZero();
        try (OnnxScoringModel model = OnnxScoringModel.load(Files.readAllBytes(cvae), ScoringOptions.cpu())) {
            var rpm = model.metadata().featureSpec().features().stream().filter(f -> f.name().equals("rpm")).findFirst().orElseThrow();
            assertThat(rpm.type()).isEqualTo(dev.anomaly.schemas.features.FeatureType.BUCKETED);
            double[] sampledRpm = Table.read(out).column("rpm");
            assertThat(sampledRpm).hasSize(200);
            assertThat(Arrays.stream(sampledRpm).map(rpm::bucket).distinct().toArray()).containsExactly(rpm.bucket(2000));
        }
        Run wrong = run("sample", "--model", cvae.toString(), "-n", "5", "--condition", "pump=3", "--out", dir.resolve("z.csv").toString());
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("pump: not a condition of this model");
    }

    @Test
    void shouldRefuseInterpolationWithoutData() {
        Run r = run("sample", "--model", vae.toString(), "--interpolate", "1,2", "--out", dir.resolve("y.csv").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--data");
    }

    private static double[] moments(double[] v) {
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1);
        return new double[]{mean, Math.sqrt(var)};
    }

    /** A numeric CSV file's columns by name. */
    record Table(List<String> header, double[][] values) {
        static Table read(Path csv) throws IOException {
            List<String> lines = Files.readAllLines(csv);
            List<String> header = List.of(lines.get(0).split(","));
            double[][] values = new double[lines.size() - 1][];
            for (int i = 1; i < lines.size(); i++) {
                values[i - 1] = Arrays.stream(lines.get(i).split(",")).mapToDouble(Double::parseDouble).toArray();
            }
            return new Table(header, values);
        }

        int rows() {
            return values.length;
        }

        double[] column(String name) {
            int j = header.indexOf(name);
            assertThat(j).as(name + " in " + header).isNotNegative();
            return Arrays.stream(values).mapToDouble(row -> row[j]).toArray();
        }
    }
}
