package dev.anomaly.detector;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.Baseline;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.trainer.export.OnnxExporter;
import dev.anomaly.trainer.family.Autoencoder;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Hand-made models with a score that tests can compute: the network reconstructs every record as the centre, so
 * {@code score = (1/F) sum_j ((x_j - center_j) / scale_j)^2} and {@code expected = center}.
 */
public final class TestModels {
    public static final FeatureSpec SPEC = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("powerKw"),
            Feature.numeric("temperatureC"), Feature.numeric("vibrationMm"), Feature.numeric("pressureBar"), Feature.numeric("flowM3h"));
    public static final float[] CENTER = {1500f, 40f, 75f, 2.6f, 3.7f, 60f};
    public static final float[] SCALE = {300f, 5f, 5f, 0.4f, 0.5f, 12f};

    private TestModels() {
    }

    public static byte[] centreModel(String id, int version, double threshold) {
        return centreModel(id, version, threshold, SPEC, CENTER, SCALE);
    }

    /**
     * The centre model reading {@link #SPEC}'s features in reverse order: it gives every record the same score as
     * {@link #centreModel(String, int, double)}, but only if the record's row is extracted for its own spec.
     */
    public static byte[] reversedCentreModel(String id, int version, double threshold) {
        int f = CENTER.length;
        float[] center = new float[f];
        float[] scale = new float[f];
        Feature[] features = new Feature[f];
        for (int j = 0; j < f; j++) {
            center[j] = CENTER[f - 1 - j];
            scale[j] = SCALE[f - 1 - j];
            features[j] = SPEC.features().get(f - 1 - j);
        }
        return centreModel(id, version, threshold, FeatureSpec.of(features), center, scale);
    }

    /** A centre model over {@code spec} (one numeric column per feature), with its own centre and scale. */
    public static byte[] centreModel(String id, int version, double threshold, FeatureSpec spec, float[] center, float[] scale) {
        int f = center.length;
        DenseWeights enc = new DenseWeights(f, 2, new float[f * 2], new float[2], Activation.RELU);
        DenseWeights code = new DenseWeights(2, 2, new float[4], new float[2], Activation.IDENTITY);
        DenseWeights dec = new DenseWeights(2, 2, new float[4], new float[2], Activation.RELU);
        DenseWeights out = new DenseWeights(2, f, new float[2 * f], new float[f], Activation.IDENTITY);
        NetworkWeights net = new NetworkWeights(new Autoencoder(0),  new Normalizer(center, scale), List.of(enc), code, null, List.of(dec), out,
                new float[2], new float[2], 1f);
        double[] p = Baseline.DEFAULT_PROBABILITIES;
        Map<String, double[]> features = new LinkedHashMap<>();
        for (int j = 0; j < f; j++) {
            double[] q = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                q[i] = center[j] + scale[j] * (p[i] - 0.5) * 3;
            }
            features.put(spec.columnNames().get(j), q);
        }
        // Baseline scores of the baseline's own distribution (each column uniform over centre ± 1.5 scales).
        java.util.SplittableRandom random = new java.util.SplittableRandom(0);
        double[] scores = new double[20_000];
        for (int i = 0; i < scores.length; i++) {
            double[] x = new double[f];
            for (int j = 0; j < f; j++) {
                x[j] = CENTER[j % CENTER.length] + SCALE[j % CENTER.length] * (random.nextDouble() - 0.5) * 3; // the same distribution in any column order
            }
            scores[i] = expectedScore(x);
        }
        // Its held-out rows: the baseline's, plus anomalies scoring up to twice the threshold the tests choose.
        Map<String, Double> metrics = Map.of(ModelMetadata.HELDOUT_SCORE_MIN, Arrays.stream(scores).min().orElseThrow(),
                ModelMetadata.HELDOUT_SCORE_MAX, Math.max(Arrays.stream(scores).max().orElseThrow(), 2 * threshold));
        ModelMetadata meta = new ModelMetadata(id, version, ModelKind.AE, spec, threshold, 0.01,
                new Baseline(p, Baseline.quantiles(scores, p), features, 1000), "sha256:test", Map.of(), metrics, Instant.parse("2026-01-01T00:00:00Z"));
        return OnnxExporter.export(net, meta);
    }

    /**
     * The centre model over windows of {@link #SPEC}'s records: every step's columns centred and scaled alike, so a
     * window's score is {@link #expectedScore} of its rows laid end to end.
     */
    public static byte[] windowedCentreModel(String id, int version, double threshold, dev.anomaly.schemas.features.WindowSpec window) {
        int f = CENTER.length;
        float[] center = new float[window.size() * f];
        float[] scale = new float[window.size() * f];
        for (int step = 0; step < window.size(); step++) {
            System.arraycopy(CENTER, 0, center, step * f, f);
            System.arraycopy(SCALE, 0, scale, step * f, f);
        }
        return centreModel(id, version, threshold, SPEC.withWindow(window), center, scale);
    }

    /** The score the centre model gives a record. */
    public static double expectedScore(double... x) {
        double s = 0;
        for (int j = 0; j < x.length; j++) {
            double z = (x[j] - CENTER[j % CENTER.length]) / SCALE[j % CENTER.length]; // a window repeats the columns
            s += z * z;
        }
        return s / x.length;
    }
}
