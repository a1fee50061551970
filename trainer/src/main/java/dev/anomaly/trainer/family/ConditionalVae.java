package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.Dl4jNetwork;
import dev.anomaly.trainer.model.GenerativeFamily;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.OnnxGraph;
import dev.anomaly.trainer.model.TrainingConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The conditional VAE: one model for many contexts. Some categorical or boolean features are the <em>condition</em> c
 * (a site, a pump, a mode): the encoder reads the whole row (c among it), the decoder reads the code and c, and only the
 * other features are reconstructed. The score is the negative ELBO of those features given c, at z = mu(x, c) — "normal
 * for this site", without one model per site. The condition's columns have no reconstruction term and expect their own
 * value. It is scored as the VAE kind; its metadata names the condition.
 *
 * @param beta             weight of the KL term in training (the score weighs it 1)
 * @param condition        names of the condition features
 * @param columns          their model input columns (one-hot), once bound to the data by {@link #forSpec}; else empty
 */
public record ConditionalVae(double beta, List<String> condition, List<Integer> columns) implements GenerativeFamily {
    public static final String CONDITION = "condition";
    public static final String CONDITION_COLUMNS = "condition_columns";
    /**
     * Floor of the decoder's log-variance (standardised units; sigma >= 0.0067): a column the condition and code
     * determine exactly (constant within a context, or discrete) would otherwise drive its variance, and its
     * likelihood, without bound — and the score beyond float32's precision.
     */
    public static final double MIN_LOG_VARIANCE = -10.0;
    /** Buckets of a numeric condition given without {@code :BUCKETS}. */
    public static final int DEFAULT_BUCKETS = 4;

    public ConditionalVae {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be > 0");
        }
        condition = List.copyOf(condition);
        columns = List.copyOf(columns);
        if (condition.isEmpty()) {
            throw new IllegalArgumentException("cvae needs --condition FIELD[,FIELD] (the categorical features it is conditioned on)");
        }
    }

    static ModelFamily from(Map<String, String> parameters) {
        double beta = ModelFamilies.number(parameters, VariationalAutoencoder.BETA, 1.0);
        List<String> names = split(parameters.get(CONDITION));
        List<Integer> columns = split(parameters.get(CONDITION_COLUMNS)).stream().map(Integer::valueOf).toList();
        return new ConditionalVae(beta, names, columns);
    }

    private static List<String> split(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public ModelKind kind() {
        return ModelKind.VAE;
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(VariationalAutoencoder.BETA, Double.toString(beta));
        p.put(CONDITION, String.join(",", condition));
        if (!columns.isEmpty()) {
            p.put(CONDITION_COLUMNS, String.join(",", columns.stream().map(String::valueOf).toList()));
        }
        return p;
    }

    @Override
    public java.util.Set<String> parameterNames() {
        return java.util.Set.of(VariationalAutoencoder.BETA, CONDITION, CONDITION_COLUMNS);
    }

    /** Buckets a condition given as {@code FIELD} or {@code FIELD:BUCKETS} whose feature is numeric (quantile edges). */
    @Override
    public dev.anomaly.trainer.data.Dataset prepare(dev.anomaly.trainer.data.Dataset data) {
        for (String given : condition) {
            String name = fieldOf(given);
            boolean numeric = data.spec().features().stream()
                    .anyMatch(f -> f.name().equals(name) && f.type() == FeatureType.NUMERIC);
            if (numeric) {
                data = dev.anomaly.trainer.data.Bucketing.bucketize(data, name, bucketsOf(given));
            }
        }
        return data;
    }

    private static String fieldOf(String given) {
        int colon = given.indexOf(':');
        return colon < 0 ? given : given.substring(0, colon);
    }

    private static int bucketsOf(String given) {
        int colon = given.indexOf(':');
        if (colon < 0) {
            return DEFAULT_BUCKETS;
        }
        try {
            return Integer.parseInt(given.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--condition " + given + ": expected FIELD or FIELD:BUCKETS");
        }
    }

    /** Finds the one-hot columns of each condition feature (categorical, boolean, or numeric once bucketed). */
    @Override
    public ModelFamily forSpec(FeatureSpec spec) {
        List<Integer> columns = new ArrayList<>();
        for (String given : condition) {
            String name = fieldOf(given);
            int start = 0;
            Feature found = null;
            for (Feature f : spec.features()) {
                if (f.name().equals(name)) {
                    found = f;
                    break;
                }
                start += f.width();
            }
            if (found == null) {
                throw new IllegalArgumentException("--condition " + name + ": no such feature (features: "
                        + String.join(", ", spec.features().stream().map(Feature::name).toList()) + ")");
            }
            if (found.type() == FeatureType.NUMERIC) {
                throw new IllegalArgumentException("--condition " + name + ": a numeric feature is a condition once"
                        + " bucketed (prepare), not as it is");
            }
            for (int c = 0; c < found.width(); c++) {
                columns.add(start + c);
            }
        }
        if (columns.size() >= spec.width()) {
            throw new IllegalArgumentException("--condition leaves no feature to reconstruct");
        }
        return new ConditionalVae(beta, condition, columns);
    }

    @Override
    public Activation defaultActivation() {
        return Activation.TANH;
    }

    @Override
    public double defaultDenoise() {
        return 0.05;
    }

    @Override
    public Dl4jNetwork network(int width, TrainingConfig config) {
        if (columns.isEmpty()) {
            throw new IllegalStateException("cvae is not bound to its data's columns (forSpec)");
        }
        return new SameDiffCvae(width, config, this);
    }

    /** The reconstruction covers the features outside the condition only: their means and log-variances. */
    @Override
    public int outputWidth(int features) {
        return 2 * (features - columns.size());
    }

    @Override
    public boolean hasLatentLogVariance() {
        return true;
    }

    @Override
    public int[] conditionColumns() {
        return columns.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The columns the model reconstructs, in order. */
    int[] dataColumns(int width) {
        boolean[] isCondition = new boolean[width];
        columns.forEach(c -> isCondition[c] = true);
        int[] data = new int[width - columns.size()];
        for (int j = 0, d = 0; j < width; j++) {
            if (!isCondition[j]) {
                data[d++] = j;
            }
        }
        return data;
    }

    @Override
    public float[] decoderInput(NetworkWeights net, float[] z, float[] latent, int rows) {
        int k = net.latent();
        int[] cond = conditionColumns();
        int f = net.width();
        float[] d = new float[rows * (k + cond.length)];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(latent, r * k, d, r * (k + cond.length), k);
            for (int c = 0; c < cond.length; c++) {
                d[r * (k + cond.length) + k + c] = z[r * f + cond[c]];
            }
        }
        return d;
    }

    @Override
    public String decoderInput(OnnxGraph g, NetworkWeights net, String z, String latent) {
        String c = g.node("Gather", null, Map.of("axis", 1L), z, g.longs("condition_columns", longs(conditionColumns())));
        return g.node("Concat", null, Map.of("axis", 1L), latent, c);
    }

    @Override
    public ScoreTerms reference(NetworkWeights net, float[] z, float[] hidden, float[] latent, float[] output, int rows) {
        int f = net.width();
        int[] data = dataColumns(f);
        int fx = data.length;
        double[] e = new double[rows * f];
        float[] means = z.clone(); // the condition's columns expect their own value
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < fx; d++) {
                int j = data[d];
                double mean = output[r * 2 * fx + d];
                double logVar = Math.max(output[r * 2 * fx + fx + d], (float) MIN_LOG_VARIANCE);
                e[r * f + j] = VariationalAutoencoder.gaussianNll(z[r * f + j], mean, logVar);
                means[r * f + j] = (float) mean;
            }
        }
        return new ScoreTerms(VariationalAutoencoder.klTerms(net, hidden, latent, rows), e, means);
    }

    /**
     * The reconstructed columns' terms, put back among the condition's by one Gather over [data columns, condition
     * columns] (exact: no arithmetic on the values); the condition's terms are 0 · z (z is a one-hot, always finite).
     */
    @Override
    public GraphTerms graph(OnnxGraph g, NetworkWeights net, String z, String hidden, String latent, String output) {
        int f = net.width();
        int[] data = dataColumns(f);
        int fx = data.length;
        String axis = g.featureAxis();
        String x = g.node("Gather", null, Map.of("axis", 1L), z, g.longs("data_columns", longs(data)));
        String c = g.node("Gather", null, Map.of("axis", 1L), z, g.longs("condition_columns_terms", longs(conditionColumns())));
        String mean = g.node("Slice", output, g.longs("slice_mean_start", 0), g.longs("slice_mean_end", fx), axis);
        String logVar = g.node("Max", g.node("Slice", output, g.longs("slice_var_start", fx), g.longs("slice_var_end", 2L * fx), axis),
                g.scalar("min_log_variance", (float) MIN_LOG_VARIANCE));
        String eData = VariationalAutoencoder.gaussianNll(g, x, mean, logVar);
        long[] back = new long[f];
        for (int d = 0; d < fx; d++) {
            back[data[d]] = d;
        }
        int[] cond = conditionColumns();
        for (int i = 0; i < cond.length; i++) {
            back[cond[i]] = fx + i;
        }
        String order = g.longs("column_order", back);
        String e = g.node("Gather", null, Map.of("axis", 1L),
                g.node("Concat", null, Map.of("axis", 1L), eData, g.node("Mul", c, g.scalar("zero", 0f))), order);
        String fullMean = g.node("Gather", null, Map.of("axis", 1L), g.node("Concat", null, Map.of("axis", 1L), mean, c), order);
        return new GraphTerms(VariationalAutoencoder.klTerm(g, net, hidden, latent), e, fullMean);
    }

    private static long[] longs(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }

    @Override
    public float[] prior(NetworkWeights net, int rows, SplittableRandom random) {
        return new VariationalAutoencoder(beta).prior(net, rows, random);
    }

    @Override
    public float[] decode(NetworkWeights net, float[] latent, float[] given, int rows, SplittableRandom noise) {
        int f = net.width();
        int[] data = dataColumns(f);
        float[] out = VariationalAutoencoder.decoderOutput(net, decoderInput(net, given, latent, rows), rows);
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < data.length; d++) {
                int at = r * 2 * data.length + data.length + d;
                out[at] = Math.max(out[at], (float) MIN_LOG_VARIANCE); // the variance the score uses
            }
        }
        float[] x = VariationalAutoencoder.draw(out, data.length, rows, noise);
        float[] full = given.clone();
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < data.length; d++) {
                full[r * f + data[d]] = x[r * data.length + d];
            }
        }
        return full;
    }
}
