package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.Dl4jNetwork;
import dev.anomaly.trainer.model.GenerativeFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.OnnxGraph;
import dev.anomaly.trainer.model.TrainingConfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The VQ-VAE: normal data as a finite set of prototypes. The encoder's code z_e is replaced by the nearest of K codebook
 * entries q before decoding (trained with the straight-through gradient, a codebook loss and a commitment loss).
 * <ul>
 *   <li>Reconstruction term per feature, as the AE's: e_j = w (z_j - r_j)^2 / F, r decoded from q.</li>
 *   <li>Latent term L = (1/k) sum_i ((z_e,i - q_i) s_i)^2: the distance to the closest known mode of operation, in
 *       units of the training rows' own distance (s = 1 / its root mean square per unit).</li>
 * </ul>
 * Scored as the AE kind (its alerts and releases read as before); its metadata names the codebook size.
 *
 * @param codebookSize K, the number of prototypes
 * @param commitment   β, the weight pulling the encoder's code towards its entry
 */
public record VectorQuantisedAutoencoder(int codebookSize, double commitment) implements GenerativeFamily {
    public static final String CODEBOOK = "codebook";
    public static final String COMMITMENT = "commitment";
    public static final int DEFAULT_CODEBOOK = 16;
    public static final String QUANTISED = "quantised";

    public VectorQuantisedAutoencoder {
        if (codebookSize < 2) {
            throw new IllegalArgumentException(CODEBOOK + " must be at least 2");
        }
        if (!(commitment >= 0) || Double.isInfinite(commitment)) {
            throw new IllegalArgumentException(COMMITMENT + " must be >= 0");
        }
    }

    static VectorQuantisedAutoencoder from(Map<String, String> parameters) {
        double k = ModelFamilies.number(parameters, CODEBOOK, DEFAULT_CODEBOOK);
        if (k != Math.rint(k)) {
            throw new IllegalArgumentException(CODEBOOK + " must be a whole number, got " + k);
        }
        return new VectorQuantisedAutoencoder((int) k, ModelFamilies.number(parameters, COMMITMENT, 0.25));
    }

    @Override
    public ModelKind kind() {
        return ModelKind.AE;
    }

    @Override
    public Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(CODEBOOK, Integer.toString(codebookSize));
        p.put(COMMITMENT, Double.toString(commitment));
        return p;
    }

    @Override
    public Set<String> parameterNames() {
        return Set.of(CODEBOOK, COMMITMENT);
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
        return new SameDiffVqvae(width, config, this);
    }

    @Override
    public int outputWidth(int features) {
        return features;
    }

    @Override
    public boolean hasLatentLogVariance() {
        return false;
    }

    /** Per row, the index of the codebook entry nearest to the code (the first of equals). */
    static int[] nearest(float[] codebook, float[] latent, int rows, int k) {
        int entries = codebook.length / k;
        int[] index = new int[rows];
        for (int r = 0; r < rows; r++) {
            double best = Double.POSITIVE_INFINITY;
            for (int e = 0; e < entries; e++) {
                double d = 0;
                for (int i = 0; i < k; i++) {
                    double u = latent[r * k + i] - codebook[e * k + i];
                    d += u * u;
                }
                if (d < best) {
                    best = d;
                    index[r] = e;
                }
            }
        }
        return index;
    }

    static float[] entries(float[] codebook, int[] index, int k) {
        float[] q = new float[index.length * k];
        for (int r = 0; r < index.length; r++) {
            System.arraycopy(codebook, index[r] * k, q, r * k, k);
        }
        return q;
    }

    @Override
    public float[] decoderInput(NetworkWeights net, float[] z, float[] latent, int rows) {
        return entries(net.codebook(), nearest(net.codebook(), latent, rows, net.latent()), net.latent());
    }

    /** Distances [N, K] by broadcasting [N, 1, k] against [K, k], ArgMin over K, Gather of the entries. */
    @Override
    public String decoderInput(OnnxGraph g, NetworkWeights net, String z, String latent) {
        int k = net.latent();
        String codebook = g.floats(CODEBOOK, net.codebook(), net.codebook().length / k, k);
        String diff = g.node("Sub", g.node("Unsqueeze", latent, g.longs("axes_vq_1", 1)), codebook);
        String distance = g.node("ReduceSum", null, Map.of("keepdims", 0L), g.node("Mul", diff, diff), g.longs("axes_vq_2", 2));
        String index = g.node("ArgMin", "codebook_index", Map.of("axis", 1L, "keepdims", 0L), distance);
        return g.node("Gather", QUANTISED, Map.of("axis", 0L), codebook, index);
    }

    @Override
    public ScoreTerms reference(NetworkWeights net, float[] z, float[] hidden, float[] latent, float[] output, int rows) {
        int k = net.latent();
        float[] q = decoderInput(net, z, latent, rows);
        double[] latentTerm = new double[rows];
        for (int r = 0; r < rows; r++) {
            double l = 0;
            for (int i = 0; i < k; i++) {
                double u = ((double) latent[r * k + i] - q[r * k + i]) * net.latentInvScale()[i];
                l += u * u / k;
            }
            latentTerm[r] = l;
        }
        return new ScoreTerms(latentTerm, Autoencoder.reconstructionTerms(net, z, output, rows), output);
    }

    @Override
    public GraphTerms graph(OnnxGraph g, NetworkWeights net, String z, String hidden, String latent, String output) {
        String e = Autoencoder.reconstructionTerms(g, net, z, output);
        String u = g.node("Mul", g.node("Sub", latent, QUANTISED), g.floats("latent.inv_scale", net.latentInvScale(), net.latent()));
        String latentTerm = g.node("Mul", g.rowSum(g.node("Mul", u, u)), g.scalar("inv_latent", 1f / net.latent()));
        return new GraphTerms(latentTerm, e, output);
    }

    /**
     * The training rows' statistics: w = 1 / their mean squared error, s_i = 1 / the root mean square of z_e,i - q_i
     * (a unit that never moves from its entry carries no distance).
     */
    @Override
    public NetworkWeights withTrainingStatistics(NetworkWeights weights, Dl4jNetwork network, float[] z, int rows) {
        float[][] forward = network.forward(z, rows);
        float[] codes = forward[0];
        double mse = Autoencoder.meanSquaredError(z, forward[1]);
        int k = weights.latent();
        float[] q = decoderInput(weights, z, codes, rows);
        double[] ms = new double[k];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < k; i++) {
                double u = codes[r * k + i] - q[r * k + i];
                ms[i] += u * u / rows;
            }
        }
        float[] invScale = new float[k];
        for (int i = 0; i < k; i++) {
            invScale[i] = ms[i] > 1e-12 ? (float) (1 / Math.sqrt(ms[i])) : 0f;
        }
        return weights.withTrainingStatistics(new float[k], invScale, mse > 1e-12 ? (float) (1 / mse) : 1f);
    }

    /** Codebook entries drawn uniformly: the prototypes are the VQ-VAE's prior. */
    @Override
    public float[] prior(NetworkWeights net, int rows, SplittableRandom random) {
        int k = net.latent();
        int[] index = new int[rows];
        for (int r = 0; r < rows; r++) {
            index[r] = random.nextInt(net.codebook().length / k);
        }
        return entries(net.codebook(), index, k);
    }

    /** The decoder's output for codes {@code latent}: a VQ-VAE's decoder is deterministic, so {@code noise} is unused. */
    @Override
    public float[] decode(NetworkWeights net, float[] latent, float[] given, int rows, SplittableRandom noise) {
        float[] d = latent;
        for (var layer : net.decoder()) {
            d = layer.forward(d, rows);
        }
        return net.output().forward(d, rows);
    }
}
