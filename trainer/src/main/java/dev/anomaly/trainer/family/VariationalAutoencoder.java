package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.Dl4jNetwork;
import dev.anomaly.trainer.model.GenerativeFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.OnnxGraph;
import dev.anomaly.trainer.model.ReferenceScorer;
import dev.anomaly.trainer.model.TrainingConfig;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The (β-)variational autoencoder with a Gaussian decoder, scored deterministically at z = mu(x):
 * (m, log s^2) = decoder(mu).
 * <ul>
 *   <li>Reconstruction term per feature e_j = 0.5 (log 2 pi + log s_j^2 + (z_j - m_j)^2 / s_j^2), the negative
 *       log-likelihood of x under p(x | z = mu).</li>
 *   <li>Latent term L = KL(q(z|x) || N(0, I)). The score is then the negative ELBO evaluated at z = mu.</li>
 * </ul>
 *
 * @param beta weight of the KL term in training (1 = the standard ELBO); the score always weighs it 1
 */
public record VariationalAutoencoder(double beta) implements GenerativeFamily {
    public static final String BETA = "beta";

    public VariationalAutoencoder {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be > 0");
        }
    }

    /** Reads this family's hyper-parameters ({@value #BETA}, default 1). */
    static VariationalAutoencoder from(Map<String, String> parameters) {
        return new VariationalAutoencoder(ModelFamilies.number(parameters, BETA, 1.0));
    }

    @Override
    public ModelKind kind() {
        return ModelKind.VAE;
    }

    @Override
    public Map<String, String> parameters() {
        return Map.of(BETA, Double.toString(beta));
    }

    /** Tanh keeps the encoder's and decoder's log-variance heads bounded, so exp() cannot overflow on extreme records. */
    @Override
    public Activation defaultActivation() {
        return Activation.TANH;
    }

    /**
     * On discrete-valued columns a Gaussian decoder otherwise drives its variance to zero and its likelihood to
     * infinity; a little noise "dequantises" the data.
     */
    @Override
    public double defaultDenoise() {
        return 0.05;
    }

    @Override
    public Dl4jNetwork network(int width, TrainingConfig config) {
        return new Dl4jVae(width, config, this);
    }

    @Override
    public int outputWidth(int features) {
        return 2 * features;
    }

    @Override
    public boolean hasLatentLogVariance() {
        return true;
    }

    @Override
    public ScoreTerms reference(NetworkWeights net, float[] z, float[] hidden, float[] latent, float[] output, int rows) {
        int f = net.width();
        double[] e = new double[rows * f];
        float[] means = new float[rows * f];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < f; j++) {
                double mean = output[r * 2 * f + j];
                e[r * f + j] = gaussianNll(z[r * f + j], mean, output[r * 2 * f + f + j]);
                means[r * f + j] = output[r * 2 * f + j];
            }
        }
        return new ScoreTerms(klTerms(net, hidden, latent, rows), e, means);
    }

    @Override
    public GraphTerms graph(OnnxGraph g, NetworkWeights net, String z, String hidden, String latent, String output) {
        int f = net.width();
        String axis = g.featureAxis();
        String mean = g.node("Slice", output, g.longs("slice_mean_start", 0), g.longs("slice_mean_end", f), axis);
        String logVar = g.node("Slice", output, g.longs("slice_var_start", f), g.longs("slice_var_end", 2L * f), axis);
        return new GraphTerms(klTerm(g, net, hidden, latent), gaussianNll(g, z, mean, logVar), mean);
    }

    /** -log N(x; mean, exp(logVar)) = 0.5 (log 2 pi + logVar + (x - mean)^2 / exp(logVar)). */
    static double gaussianNll(double x, double mean, double logVar) {
        return 0.5 * (ReferenceScorer.LOG_2PI + logVar + (x - mean) * (x - mean) * Math.exp(-logVar));
    }

    /** {@link #gaussianNll(double, double, double)} cell by cell as ONNX nodes. */
    static String gaussianNll(OnnxGraph g, String x, String mean, String logVar) {
        String diff = g.node("Sub", x, mean);
        String sq = g.node("Mul", diff, diff);
        String invVar = g.node("Exp", g.node("Neg", logVar));
        String sum = g.node("Add", g.node("Add", g.node("Mul", sq, invVar), logVar),
                g.scalar("log_2pi", (float) ReferenceScorer.LOG_2PI));
        return g.node("Mul", sum, g.scalar("half", 0.5f));
    }

    /** Per row: KL(q(z|x) || N(0, I)) = 0.5 sum(mu^2 + exp(lv) - 1 - lv), lv from the log-variance head. */
    static double[] klTerms(NetworkWeights net, float[] hidden, float[] latent, int rows) {
        int k = net.latent();
        float[] latentLogVar = net.codeLogVar().forward(hidden, rows);
        double[] latentTerm = new double[rows];
        for (int r = 0; r < rows; r++) {
            double l = 0;
            for (int i = 0; i < k; i++) {
                double mu = latent[r * k + i];
                double lv = latentLogVar[r * k + i];
                l += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
            }
            latentTerm[r] = l;
        }
        return latentTerm;
    }

    /** {@link #klTerms} as ONNX nodes: [N, 1]. */
    static String klTerm(OnnxGraph g, NetworkWeights net, String hidden, String latent) {
        String lv = g.dense("code_logvar", net.codeLogVar(), hidden, null);
        String klTerms = g.node("Sub", g.node("Sub", g.node("Add", g.node("Mul", latent, latent), g.node("Exp", lv)),
                g.scalar("one", 1f)), lv);
        return g.node("Mul", g.rowSum(klTerms), g.scalar("kl_half", 0.5f));
    }

    /** z ~ N(0, I), the prior the KL term pulls q(z|x) towards. */
    @Override
    public float[] prior(NetworkWeights net, int rows, SplittableRandom random) {
        int latent = net.latent();
        float[] z = new float[rows * latent];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) gaussian(random);
        }
        return z;
    }

    /** The decoder's Gaussian p(x|z): its mean, or mean + sigma * eps with sigma = exp(log s^2 / 2). */
    @Override
    public float[] decode(NetworkWeights net, float[] latent, float[] given, int rows, SplittableRandom noise) {
        return draw(decoderOutput(net, latent, rows), net.width(), rows, noise);
    }

    /** The output layer for decoder inputs {@code d} [rows, ·]. */
    static float[] decoderOutput(NetworkWeights net, float[] d, int rows) {
        for (DenseWeights layer : net.decoder()) {
            d = layer.forward(d, rows);
        }
        return net.output().forward(d, rows);
    }

    /** From a Gaussian output layer [rows, 2 f] (means, log-variances): the means, or draws around them. */
    static float[] draw(float[] out, int f, int rows, SplittableRandom noise) {
        float[] x = new float[rows * f];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < f; j++) {
                double mean = out[r * 2 * f + j];
                double sigma = Math.exp(0.5 * out[r * 2 * f + f + j]);
                x[r * f + j] = (float) (noise == null ? mean : mean + sigma * gaussian(noise));
            }
        }
        return x;
    }

    /** A standard normal draw (Box-Muller), from a seeded generator so that sampling is reproducible. */
    static double gaussian(SplittableRandom random) {
        double u = 1.0 - random.nextDouble(); // (0, 1]
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
