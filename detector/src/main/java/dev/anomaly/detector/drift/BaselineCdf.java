package dev.anomaly.detector.drift;

/**
 * A training distribution known only by its quantiles {@code q_i} at probabilities {@code p_i}, as the model's
 * baseline stores it: distinct cut points, each with the highest probability at it (repeated cut points, as a
 * discrete column gives, are merged).
 */
public record BaselineCdf(double[] cuts, double[] cdf) {

    public static BaselineCdf of(double[] probabilities, double[] quantiles) {
        double[] cuts = new double[quantiles.length];
        double[] cdf = new double[quantiles.length];
        int m = 0;
        for (int i = 0; i < quantiles.length; i++) {
            if (m > 0 && quantiles[i] == cuts[m - 1]) {
                cdf[m - 1] = probabilities[i];
            } else {
                cuts[m] = quantiles[i];
                cdf[m++] = probabilities[i];
            }
        }
        return new BaselineCdf(java.util.Arrays.copyOf(cuts, m), java.util.Arrays.copyOf(cdf, m));
    }

    public int size() {
        return cuts.length;
    }
}
