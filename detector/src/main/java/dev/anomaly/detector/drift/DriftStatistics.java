package dev.anomaly.detector.drift;

import java.util.Arrays;

/**
 * Drift of a window of values against a baseline known only by its quantiles {@code q_i} at probabilities {@code p_i}.
 * <ul>
 *   <li>PSI over the bins the baseline quantiles cut: expected mass of a bin is the probability between its cut points,
 *       observed mass the window's share; {@code PSI = sum (o - e) ln(o / e)}, masses floored at 1e-4. Repeated cut
 *       points (discrete columns) are merged.</li>
 *   <li>KS: {@code max_i |F_window(q_i) - p_i|}, the Kolmogorov-Smirnov distance evaluated at the baseline's cut
 *       points (the baseline CDF is known exactly there), a slight underestimate of the full two-sample statistic.</li>
 * </ul>
 */
public final class DriftStatistics {
    private static final double FLOOR = 1e-4;

    private DriftStatistics() {
    }

    /** {psi, ks} of {@code window} against the baseline quantiles. */
    public static double[] psiAndKs(double[] window, double[] probabilities, double[] quantiles) {
        double[] sorted = window.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        // Distinct cut points with the highest probability at each.
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
        double psi = 0;
        double ks = 0;
        double previousExpected = 0;
        double previousObserved = 0;
        for (int i = 0; i <= m; i++) {
            double expectedCdf = i < m ? cdf[i] : 1.0;
            double observedCdf = i < m ? (double) upperBound(sorted, cuts[i]) / n : 1.0;
            if (i < m) {
                ks = Math.max(ks, Math.abs(observedCdf - expectedCdf));
            }
            double e = Math.max(FLOOR, expectedCdf - previousExpected);
            double o = Math.max(FLOOR, observedCdf - previousObserved);
            psi += (o - e) * Math.log(o / e);
            previousExpected = expectedCdf;
            previousObserved = observedCdf;
        }
        return new double[]{psi, ks};
    }

    /** Number of values {@code <= x} in ascending {@code sorted}. */
    private static int upperBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
