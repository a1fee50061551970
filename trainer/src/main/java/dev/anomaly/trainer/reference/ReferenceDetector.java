package dev.anomaly.trainer.reference;

/** An unsupervised detector fitted on rows and scoring others: higher is more anomalous. */
public interface ReferenceDetector {
    String name();

    /**
     * @param train   {@code trainRows} rows of {@code width} columns, row-major (anomalies left in)
     * @param test    rows to score
     * @param seed    for detectors with randomness
     * @return one score per test row
     */
    double[] fitScore(float[] train, int trainRows, float[] test, int testRows, int width, long seed);

    /** Column means and standard deviations of {@code rows} (a constant column gets sd 1). */
    static double[][] standardisation(float[] rows, int n, int w) {
        double[] mean = new double[w];
        double[] sd = new double[w];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < w; j++) {
                mean[j] += rows[r * w + j];
            }
        }
        for (int j = 0; j < w; j++) {
            mean[j] /= n;
        }
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < w; j++) {
                double d = rows[r * w + j] - mean[j];
                sd[j] += d * d;
            }
        }
        for (int j = 0; j < w; j++) {
            sd[j] = Math.sqrt(sd[j] / Math.max(1, n - 1));
            if (!(sd[j] > 1e-12)) {
                sd[j] = 1;
            }
        }
        return new double[][]{mean, sd};
    }

    static double[] standardise(float[] rows, int n, int w, double[][] by) {
        double[] out = new double[n * w];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < w; j++) {
                out[r * w + j] = (rows[r * w + j] - by[0][j]) / by[1][j];
            }
        }
        return out;
    }
}
