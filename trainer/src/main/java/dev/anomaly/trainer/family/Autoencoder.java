package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.Dl4jNetwork;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.OnnxGraph;
import dev.anomaly.trainer.model.TrainingConfig;

import java.util.Map;

/**
 * The undercomplete (optionally sparse, optionally denoising) autoencoder: c = code(encoder(z)), r = decoder(c).
 * <ul>
 *   <li>Reconstruction term per feature e_j = w (z_j - r_j)^2 / F: their sum is the MSE relative to the training rows'
 *       mean MSE, 1/w.</li>
 *   <li>Latent term L = (1/k) sum_i ((c_i - m_i) / s_i)^2, the squared distance of the code from the training codes'
 *       mean in units of their spread. It catches records that are extreme yet consistent (on the learned manifold),
 *       which a reconstruction error alone misses.</li>
 * </ul>
 *
 * Training-time penalties on the code (each 0 = off; they change what is learned, never how it is scored, so every
 * variant is the {@code AE} kind to the detector and to consumers of alerts and releases):
 *
 * @param sparsity              weight of the L1 activity penalty λ Σ|c|
 * @param contraction           weight of the contractive penalty λ ||∂c/∂x||²_F (the contractive AE, {@code cae})
 * @param sparsityTarget        target mean activation ρ of the KL-sparsity penalty Σ_j KL(ρ || ρ̂_j), in (0, 1)
 * @param sparsityTargetWeight  weight of the KL-sparsity penalty
 * @param tiedWeights           the decoder's weights are the encoder's transposed (half the weights; its biases are
 *                              its own): a SameDiff network, since DL4J's layers cannot share a matrix
 */
public record Autoencoder(double sparsity, double contraction, double sparsityTarget, double sparsityTargetWeight,
                          boolean tiedWeights) implements ModelFamily {
    public static final String SPARSITY = "sparsity";
    public static final String CONTRACTION = "contraction";
    public static final String SPARSITY_TARGET = "sparsity_target";
    public static final String SPARSITY_TARGET_WEIGHT = "sparsity_target_weight";
    public static final String TIED_WEIGHTS = "tied_weights";
    /** The contraction {@code --model cae} trains with unless told otherwise. */
    public static final double DEFAULT_CONTRACTION = 0.1;
    /** The finite-difference step of the contractive penalty, in standardised units. */
    static final double CONTRACTION_NOISE = 0.05;

    public Autoencoder {
        nonNegative(SPARSITY, sparsity);
        nonNegative(CONTRACTION, contraction);
        nonNegative(SPARSITY_TARGET_WEIGHT, sparsityTargetWeight);
        if (!(sparsityTarget >= 0 && sparsityTarget < 1)) {
            throw new IllegalArgumentException(SPARSITY_TARGET + " must be in (0, 1), or 0 for off");
        }
        if (tiedWeights && (sparsity > 0 || contraction > 0 || sparsityTarget > 0)) {
            throw new IllegalArgumentException("--tied-weights trains without penalties on the code (sparsity, contraction,"
                    + " sparsity target): choose one");
        }
    }

    public Autoencoder(double sparsity, double contraction, double sparsityTarget, double sparsityTargetWeight) {
        this(sparsity, contraction, sparsityTarget, sparsityTargetWeight, false);
    }

    /** The plain undercomplete AE with only an L1 activity penalty. */
    public Autoencoder(double sparsity) {
        this(sparsity, 0, 0, 1);
    }

    private static void nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be >= 0");
        }
    }

    /**
     * Reads this family's hyper-parameters ({@value #SPARSITY}, {@value #CONTRACTION}, {@value #SPARSITY_TARGET}: default
     * 0; {@value #SPARSITY_TARGET_WEIGHT}: default 1).
     */
    static Autoencoder from(Map<String, String> parameters) {
        return new Autoencoder(ModelFamilies.number(parameters, SPARSITY, 0.0), ModelFamilies.number(parameters, CONTRACTION, 0.0),
                ModelFamilies.number(parameters, SPARSITY_TARGET, 0.0), ModelFamilies.number(parameters, SPARSITY_TARGET_WEIGHT, 1.0),
                flag(parameters, TIED_WEIGHTS));
    }

    private static boolean flag(Map<String, String> parameters, String name) {
        String text = parameters.getOrDefault(name, "false").trim();
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(name + " must be true or false, got '" + text + "'");
        }
        return Boolean.parseBoolean(text);
    }

    @Override
    public ModelKind kind() {
        return ModelKind.AE;
    }

    @Override
    public Map<String, String> parameters() {
        // The penalties added later appear only when on, so that a model trained without them is described as before.
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put(SPARSITY, Double.toString(sparsity));
        if (contraction > 0) {
            p.put(CONTRACTION, Double.toString(contraction));
        }
        if (sparsityTarget > 0) {
            p.put(SPARSITY_TARGET, Double.toString(sparsityTarget));
            p.put(SPARSITY_TARGET_WEIGHT, Double.toString(sparsityTargetWeight));
        }
        if (tiedWeights) {
            p.put(TIED_WEIGHTS, "true");
        }
        return p;
    }

    @Override
    public java.util.Set<String> parameterNames() {
        return java.util.Set.of(SPARSITY, CONTRACTION, SPARSITY_TARGET, SPARSITY_TARGET_WEIGHT, TIED_WEIGHTS);
    }

    @Override
    public Activation defaultActivation() {
        return Activation.ELU;
    }

    @Override
    public double defaultDenoise() {
        return 0.0;
    }

    @Override
    public Dl4jNetwork network(int width, TrainingConfig config) {
        return tiedWeights ? new SameDiffTiedAutoencoder(width, config, this) : new Dl4jAutoencoder(width, config, this);
    }

    @Override
    public int outputWidth(int features) {
        return features;
    }

    @Override
    public boolean hasLatentLogVariance() {
        return false;
    }

    /**
     * The latent distance is measured in units of the training codes' own spread, per unit, and the reconstruction
     * error in units of its training mean, so that both terms of the score are about 1 for a typical record.
     */
    @Override
    public NetworkWeights withTrainingStatistics(NetworkWeights weights, Dl4jNetwork network, float[] z, int rows) {
        float[][] forward = network.forward(z, rows);
        float[] codes = forward[0];
        double mse = meanSquaredError(z, forward[1]);
        int k = weights.latent();
        double[] mean = new double[k];
        double[] var = new double[k];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                mean[j] += codes[i * k + j];
            }
        }
        for (int j = 0; j < k; j++) {
            mean[j] /= rows;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                double d = codes[i * k + j] - mean[j];
                var[j] += d * d;
            }
        }
        float[] center = new float[k];
        float[] invScale = new float[k];
        for (int j = 0; j < k; j++) {
            double sd = Math.sqrt(var[j] / Math.max(1, rows - 1));
            center[j] = (float) mean[j];
            invScale[j] = sd > 1e-6 ? (float) (1 / sd) : 0f; // a dead unit carries no distance
        }
        return weights.withTrainingStatistics(center, invScale, mse > 1e-12 ? (float) (1 / mse) : 1f);
    }

    @Override
    public ScoreTerms reference(NetworkWeights net, float[] z, float[] hidden, float[] latent, float[] output, int rows) {
        int k = net.latent();
        double[] latentTerm = new double[rows];
        for (int r = 0; r < rows; r++) {
            double l = 0;
            for (int i = 0; i < k; i++) {
                double mu = latent[r * k + i];
                double u = (mu - net.latentCenter()[i]) * net.latentInvScale()[i];
                l += u * u / k;
            }
            latentTerm[r] = l;
        }
        return new ScoreTerms(latentTerm, reconstructionTerms(net, z, output, rows), output);
    }

    /** Per cell e_j = w (z_j - r_j)^2 / F: the reconstruction term of the AE and of its variants. */
    static double[] reconstructionTerms(NetworkWeights net, float[] z, float[] output, int rows) {
        int f = net.width();
        double[] e = new double[rows * f];
        for (int i = 0; i < rows * f; i++) {
            double d = (double) z[i] - output[i]; // in double, as the reference defines it
            e[i] = d * d * net.reconstructionWeight() / f;
        }
        return e;
    }

    /** {@link #reconstructionTerms(NetworkWeights, float[], float[], int)} as ONNX nodes. */
    static String reconstructionTerms(OnnxGraph g, NetworkWeights net, String z, String output) {
        String diff = g.node("Sub", z, output);
        return g.node("Mul", g.node("Mul", diff, diff), g.scalar("reconstruction_weight", net.reconstructionWeight() / net.width()));
    }

    /** Mean over all cells of (z - r)^2: 1 / w. */
    static double meanSquaredError(float[] z, float[] recon) {
        double mse = 0;
        for (int i = 0; i < z.length; i++) {
            double d = z[i] - recon[i];
            mse += d * d;
        }
        return mse / z.length;
    }

    @Override
    public GraphTerms graph(OnnxGraph g, NetworkWeights net, String z, String hidden, String latent, String output) {
        String e = reconstructionTerms(g, net, z, output);
        String u = g.node("Mul", g.node("Sub", latent, g.floats("latent.center", net.latentCenter(), net.latent())),
                g.floats("latent.inv_scale", net.latentInvScale(), net.latent()));
        String latentTerm = g.node("Mul", g.rowSum(g.node("Mul", u, u)), g.scalar("inv_latent", 1f / net.latent()));
        return new GraphTerms(latentTerm, e, output);
    }
}
