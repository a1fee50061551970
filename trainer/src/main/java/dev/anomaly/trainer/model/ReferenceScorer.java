package dev.anomaly.trainer.model;

/**
 * The scoring computation in plain Java (double precision), the definition the ONNX graph must match.
 * <ul>
 *   <li>z = (x - center) / scale.</li>
 *   <li>c = code(encoder(z)), out = output(decoder(c)); the {@link ModelFamily} turns them into a reconstruction term
 *       e_j per feature and a latent term L per row (see each family).</li>
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
        float[] z = net.normalizer().apply(raw, rows);
        float[] h = z;
        for (DenseWeights layer : net.encoder()) {
            h = layer.forward(h, rows);
        }
        float[] latent = net.code().forward(h, rows);
        float[] d = net.family().decoderInput(net, z, latent, rows);
        for (DenseWeights layer : net.decoder()) {
            d = layer.forward(d, rows);
        }
        float[] out = net.output().forward(d, rows);
        ModelFamily.ScoreTerms terms = net.family().reference(net, z, h, latent, out, rows);
        double[] score = new double[rows];
        double[] expected = new double[rows * f];
        double[] contribution = new double[rows * f];
        float[] center = net.normalizer().center();
        float[] scale = net.normalizer().scale();
        for (int r = 0; r < rows; r++) {
            double l = terms.latentTerm()[r];
            double zz = 0;
            for (int j = 0; j < f; j++) {
                zz += (double) z[r * f + j] * z[r * f + j];
            }
            double s = 0;
            for (int j = 0; j < f; j++) {
                double zj = z[r * f + j];
                double e = terms.reconstruction()[r * f + j];
                contribution[r * f + j] = e + l * zj * zj / (zz + SHARE_EPSILON);
                expected[r * f + j] = terms.mean()[r * f + j] * scale[j] + center[j];
                s += e;
            }
            score[r] = s + l;
        }
        return new Result(rows, f, score, expected, contribution, latent, terms.latentTerm().clone());
    }
}
