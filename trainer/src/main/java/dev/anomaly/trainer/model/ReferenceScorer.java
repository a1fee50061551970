package dev.anomaly.trainer.model;

import dev.anomaly.schemas.avro.ModelKind;

/**
 * The scoring computation in plain Java, the definition the ONNX graph must match:
 * <ul>
 *   <li>z = (x - center) / scale;</li>
 *   <li>AE: r = decoder(encoder(z)); contribution_j = (z_j - r_j)^2 / F; score = sum_j contribution_j (the MSE);</li>
 *   <li>VAE, deterministic with z = mu(x): (m, log s^2) = decoder(mu); contribution_j = 0.5 (log 2 pi + log s_j^2 +
 *       (z_j - m_j)^2 / s_j^2); score = sum_j contribution_j, the negative log-likelihood of x under p(x | z = mu);
 *       negElbo = score + KL(q(z|x) || N(0, I));</li>
 *   <li>expected = reconstruction mean * scale + center, in raw units.</li>
 * </ul>
 */
public final class ReferenceScorer {
    public static final double LOG_2PI = Math.log(2 * Math.PI);

    private ReferenceScorer() {
    }

    /** Per-row results; arrays row-major. */
    public record Result(int rows, int width, double[] score, double[] expected, double[] contribution, float[] latent, double[] negElbo) {
    }

    public static Result score(NetworkWeights net, float[] raw, int rows) {
        int f = net.width();
        float[] z = net.normalizer().apply(raw, rows);
        float[] h = z;
        for (DenseWeights layer : net.encoder()) {
            h = layer.forward(h, rows);
        }
        float[] latent = net.code().forward(h, rows);
        float[] latentLogVar = net.kind() == ModelKind.VAE ? net.codeLogVar().forward(h, rows) : null;
        h = latent;
        for (DenseWeights layer : net.decoder()) {
            h = layer.forward(h, rows);
        }
        float[] out = net.output().forward(h, rows);
        double[] score = new double[rows];
        double[] expected = new double[rows * f];
        double[] contribution = new double[rows * f];
        float[] center = net.normalizer().center();
        float[] scale = net.normalizer().scale();
        int outW = net.output().out();
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < f; j++) {
                double mean = out[r * outW + j];
                double zj = z[r * f + j];
                double c;
                if (net.kind() == ModelKind.AE) {
                    c = (zj - mean) * (zj - mean) / f;
                } else {
                    double logVar = out[r * outW + f + j];
                    c = 0.5 * (LOG_2PI + logVar + (zj - mean) * (zj - mean) * Math.exp(-logVar));
                }
                contribution[r * f + j] = c;
                expected[r * f + j] = mean * scale[j] + center[j];
                s += c;
            }
            score[r] = s;
        }
        double[] negElbo = null;
        if (net.kind() == ModelKind.VAE) {
            negElbo = new double[rows];
            int k = net.latent();
            for (int r = 0; r < rows; r++) {
                double kl = 0;
                for (int i = 0; i < k; i++) {
                    double mu = latent[r * k + i];
                    double lv = latentLogVar[r * k + i];
                    kl += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
                }
                negElbo[r] = score[r] + kl;
            }
        }
        return new Result(rows, f, score, expected, contribution, latent, negElbo);
    }
}
