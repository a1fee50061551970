package dev.anomaly.trainer.generate;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.GenerativeFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.ReferenceScorer;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * A trained generative model used as a generator: records drawn from it, and the records along the straight line between
 * two records' codes, in raw feature units (the model's feature columns).
 */
public final class Generator {
    private final NetworkWeights net;
    private final GenerativeFamily family;
    private final FeatureSpec spec;

    private Generator(NetworkWeights net, GenerativeFamily family, FeatureSpec spec) {
        this.net = net;
        this.family = family;
        this.spec = spec;
    }

    /**
     * The generator of {@code net}.
     *
     * @throws IllegalArgumentException for a family without a regularised latent space (the plain AE)
     */
    public static Generator of(NetworkWeights net, FeatureSpec spec) {
        if (spec.width() != net.width()) {
            throw new IllegalArgumentException("feature spec has " + spec.width() + " columns, the network " + net.width());
        }
        if (!(net.family() instanceof GenerativeFamily g)) {
            throw new IllegalArgumentException(ModelFamilies.name(net.kind()) + " models cannot be sampled: an autoencoder's"
                    + " latent space is not regularised, so a random code decodes to an arbitrary record. Train a vae"
                    + " (anomaly train --model vae) to generate records.");
        }
        return new Generator(net, g, spec);
    }

    public int width() {
        return net.width();
    }

    /**
     * {@code n} records drawn from the model: codes from the prior, numeric columns from the decoder's distribution.
     * Boolean and categorical columns are taken from the decoder's mean (its estimate of the column's probabilities): the
     * Gaussian's noise on them only stands for the dequantisation noise added in training, and drawing it would pick a
     * mode that contradicts the record's other columns.
     */
    public float[] sample(int n, SplittableRandom random) {
        return sample(n, random, Map.of());
    }

    /**
     * As {@link #sample(int, SplittableRandom)}, for a conditional model given its condition: {@code given} maps a
     * condition feature to its value ({@code site=B}); a condition feature not given takes, record by record, one of
     * its values at random.
     */
    public float[] sample(int n, SplittableRandom random, Map<String, String> given) {
        float[] condition = net.normalizer().apply(conditionRows(n, random, given), n);
        float[] z = family.prior(net, n, random);
        float[] drawn = family.decode(net, z, condition, n, random);
        float[] mean = family.decode(net, z, condition, n, null);
        int f = net.width();
        int col = 0;
        for (Feature feature : spec.features()) {
            if (feature.type() != FeatureType.NUMERIC && !isCondition(col)) {
                for (int r = 0; r < n; r++) {
                    System.arraycopy(mean, r * f + col, drawn, r * f + col, feature.width());
                }
            }
            col += feature.width();
        }
        return completeDiscreteColumns(raw(drawn, n), n);
    }

    /**
     * Sets each boolean and categorical column, one after the other, to the value the model finds most likely given the
     * rest of the record (the lowest score over the column's values). A Gaussian decoder sees a discrete column as a
     * number; where the column follows from the numeric ones (a mode that is a band of speeds) its decoded mean sits
     * between values near the band's edges, and rounding it alone contradicts the record's numeric columns.
     */
    private float[] completeDiscreteColumns(float[] x, int n) {
        int f = net.width();
        int col = 0;
        for (Feature feature : spec.features()) {
            if (feature.type() != FeatureType.NUMERIC && !isCondition(col)) {
                int values = feature.type() == FeatureType.BOOLEAN ? 2 : feature.width();  // categorical: with "other"
                float[] candidates = new float[values * n * f];
                for (int v = 0; v < values; v++) {
                    System.arraycopy(x, 0, candidates, v * n * f, n * f);
                    for (int r = 0; r < n; r++) {
                        setValue(candidates, (v * n + r) * f + col, feature, v);
                    }
                }
                double[] score = ReferenceScorer.score(net, candidates, values * n).score();
                for (int r = 0; r < n; r++) {
                    int best = 0;
                    for (int v = 1; v < values; v++) {
                        best = score[v * n + r] < score[best * n + r] ? v : best;
                    }
                    setValue(x, r * f + col, feature, best);
                }
            }
            col += feature.width();
        }
        return x;
    }

    private static void setValue(float[] rows, int at, Feature feature, int value) {
        if (feature.type() == FeatureType.BOOLEAN) {
            rows[at] = value;
            return;
        }
        for (int c = 0; c < feature.width(); c++) {
            rows[at + c] = c == value ? 1f : 0f;
        }
    }

    /**
     * The decoded means of {@code steps} codes evenly spaced from {@code a}'s code to {@code b}'s (both included).
     *
     * @param a one record in raw units (the model's columns)
     * @param b another
     */
    public float[] interpolate(float[] a, float[] b, int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("--steps must be at least 2");
        }
        float[] ca = encode(a);
        float[] cb = encode(b);
        int k = net.latent();
        float[] z = new float[steps * k];
        for (int s = 0; s < steps; s++) {
            double t = (double) s / (steps - 1);
            for (int i = 0; i < k; i++) {
                z[s * k + i] = (float) ((1 - t) * ca[i] + t * cb[i]);
            }
        }
        float[] given = new float[steps * net.width()];
        float[] za = net.normalizer().apply(a, 1);
        for (int s = 0; s < steps; s++) {
            System.arraycopy(za, 0, given, s * za.length, za.length);
        }
        return raw(family.decode(net, z, given, steps, null), steps);
    }

    private boolean isCondition(int column) {
        for (int c : family.conditionColumns()) {
            if (c == column) {
                return true;
            }
        }
        return false;
    }

    /** Raw rows [n, F], zero but for the condition features' columns: the given value, or one drawn per row. */
    private float[] conditionRows(int n, SplittableRandom random, Map<String, String> given) {
        int f = net.width();
        float[] rows = new float[n * f];
        java.util.Set<String> unused = new java.util.TreeSet<>(given.keySet());
        int col = 0;
        for (Feature feature : spec.features()) {
            if (isCondition(col)) {
                int values = switch (feature.type()) {
                    case BOOLEAN -> 2;
                    case BUCKETED -> feature.width();
                    default -> feature.categories().size();
                };
                String value = given.get(feature.name());
                unused.remove(feature.name());
                int fixed = value == null ? -1 : valueIndex(feature, value);
                for (int r = 0; r < n; r++) {
                    setValue(rows, r * f + col, feature, fixed >= 0 ? fixed : random.nextInt(values));
                }
            }
            col += feature.width();
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("--condition " + String.join(", ", unused) + ": not a condition of this model"
                    + (family.conditionColumns().length == 0 ? " (it has none: train it with --model cvae --condition FIELD)" : ""));
        }
        return rows;
    }

    private static int valueIndex(Feature feature, String value) {
        if (feature.type() == FeatureType.BOOLEAN) {
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return value.equalsIgnoreCase("true") ? 1 : 0;
            }
            throw new IllegalArgumentException("--condition " + feature.name() + "=" + value + ": expected true or false");
        }
        if (feature.type() == FeatureType.BUCKETED) {
            try {
                return feature.bucket(Double.parseDouble(value.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--condition " + feature.name() + "=" + value + ": expected a number");
            }
        }
        int index = feature.categories().indexOf(value);
        if (index < 0) {
            throw new IllegalArgumentException("--condition " + feature.name() + "=" + value + ": not one of its values "
                    + feature.categories());
        }
        return index;
    }

    /** The code of one raw record: the encoder's mean. */
    float[] encode(float[] raw) {
        float[] h = net.normalizer().apply(raw, 1);
        for (DenseWeights layer : net.encoder()) {
            h = layer.forward(h, 1);
        }
        return net.code().forward(h, 1);
    }

    /**
     * Normalised decoder output as records' columns in raw units: a boolean column becomes 0 or 1, a one-hot group one
     * hot at its largest column, as the records they stand for would be extracted.
     */
    private float[] raw(float[] z, int rows) {
        Normalizer n = net.normalizer();
        int f = n.width();
        float[] x = new float[rows * f];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < f; j++) {
                x[r * f + j] = z[r * f + j] * n.scale()[j] + n.center()[j];
            }
            int col = 0;
            for (Feature feature : spec.features()) {
                int at = r * f + col;
                switch (feature.type()) {
                    case NUMERIC -> { }
                    case BOOLEAN -> x[at] = x[at] > 0.5f ? 1f : 0f;
                    case CATEGORICAL, BUCKETED -> {
                        int best = 0;
                        for (int c = 1; c < feature.width(); c++) {
                            best = x[at + c] > x[at + best] ? c : best;
                        }
                        for (int c = 0; c < feature.width(); c++) {
                            x[at + c] = c == best ? 1f : 0f;
                        }
                    }
                }
                col += feature.width();
            }
        }
        return x;
    }
}
