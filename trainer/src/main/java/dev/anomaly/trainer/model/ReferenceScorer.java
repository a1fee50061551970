package dev.anomaly.trainer.model;

import dev.anomaly.schemas.avro.ModelKind;

/**
 * The scoring computation in plain Java (double precision), the definition the ONNX graph must match.
 * <ul>
 *   <li>z = (x - center) / scale.</li>
 *   <li>AE: c = encoder(z), r = decoder(c). Reconstruction term per feature e_j = w (z_j - r_j)^2 / F (their sum is the
 *       MSE relative to the training rows' mean MSE, 1/w); latent term L = (1/k) sum_i ((c_i - m_i) / s_i)^2, the squared distance of the code from the training
 *       codes' mean in units of their spread. The latent term catches records that are extreme yet consistent
 *       (on the learned manifold), which a reconstruction error alone misses.</li>
 *   <li>VAE, deterministic with z = mu(x): (m, log s^2) = decoder(mu); e_j = 0.5 (log 2 pi + log s_j^2 +
 *       (z_j - m_j)^2 / s_j^2), the negative log-likelihood of x under p(x | z = mu); L = KL(q(z|x) || N(0, I)).
 *       The score is then the negative ELBO evaluated at z = mu.</li>
 *   <li>score = sum_j e_j + L. contribution_j = e_j + L * z_j^2 / sum(z^2): the reconstruction term of the feature plus
 *       its share of the latent term in proportion to how far the feature is from its centre; contributions sum to
 *       the score.</li>
 *   <li>expected = reconstruction mean * scale + center, in raw units.</li>
 * </ul>
 */
public final class ReferenceScorer {
    public static final double LOG_2PI = Math.log(2 * Math.PI);
    /** Keeps the share of the latent term defined when a record sits exactly at the centre. */
    public static final double SHARE_EPSILON = 1e-12;

    private ReferenceScorer() {
    }

    /** Per-row results; arrays row-major. {@code latentScore} is the latent term L per row. */
    public record Result(int rows, int width, double[] score, double[] expected, double[] contribution, float[] latent,
                         double[] latentScore) {
    }

    public static Result score(NetworkWeights net, float[] raw, int rows) {
        int f = net.width();
        int k = net.latent();
        float[] z = net.normalizer().apply(raw, rows);
        float[] h = z;
        for (DenseWeights layer : net.encoder()) {
            h = layer.forward(h, rows);
        }
        float[] latent = net.code().forward(h, rows);
        float[] latentLogVar = net.kind() == ModelKind.VAE ? net.codeLogVar().forward(h, rows) : null;
        float[] d = latent;
        for (DenseWeights layer : net.decoder()) {
            d = layer.forward(d, rows);
        }
        float[] out = net.output().forward(d, rows);
        double[] score = new double[rows];
        double[] latentScore = new double[rows];
        double[] expected = new double[rows * f];
        double[] contribution = new double[rows * f];
        float[] center = net.normalizer().center();
        float[] scale = net.normalizer().scale();
        int outW = net.output().out();
        for (int r = 0; r < rows; r++) {
            double l = 0;
            for (int i = 0; i < k; i++) {
                double mu = latent[r * k + i];
                if (net.kind() == ModelKind.AE) {
                    double u = (mu - net.latentCenter()[i]) * net.latentInvScale()[i];
                    l += u * u / k;
                } else {
                    double lv = latentLogVar[r * k + i];
                    l += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
                }
            }
            double zz = 0;
            for (int j = 0; j < f; j++) {
                zz += (double) z[r * f + j] * z[r * f + j];
            }
            double s = 0;
            for (int j = 0; j < f; j++) {
                double mean = out[r * outW + j];
                double zj = z[r * f + j];
                double e;
                if (net.kind() == ModelKind.AE) {
                    e = (zj - mean) * (zj - mean) * net.reconstructionWeight() / f;
                } else {
                    double logVar = out[r * outW + f + j];
                    e = 0.5 * (LOG_2PI + logVar + (zj - mean) * (zj - mean) * Math.exp(-logVar));
                }
                contribution[r * f + j] = e + l * zj * zj / (zz + SHARE_EPSILON);
                expected[r * f + j] = mean * scale[j] + center[j];
                s += e;
            }
            score[r] = s + l;
            latentScore[r] = l;
        }
        return new Result(rows, f, score, expected, contribution, latent, latentScore);
    }
}
