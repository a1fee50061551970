package dev.anomaly.detector.drift;

import java.util.Arrays;

/** A window of observed values, sorted once for every statistic that reads it. */
public final class Window {
    private final double[] sorted;

    public Window(double[] values, int count) {
        this.sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
    }

    public int size() {
        return sorted.length;
    }

    /** The window's empirical CDF at {@code x}: the share of values {@code <= x}. */
    public double cdf(double x) {
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
        return (double) lo / sorted.length;
    }
}
