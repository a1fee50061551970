package dev.anomaly.trainer.nab;

import org.apache.commons.math3.special.Erf;

/**
 * A streaming baseline, NAB's "windowed Gaussian": each value's two-sided tail probability under a Gaussian fitted to
 * the previous {@code window} values, as the score erf(|z| / √2) in [0, 1). Uses rows before i only. Not the
 * project's windowed model (issue #22): the reference point the NAB harness is checked with.
 */
public record WindowedGaussian(int window) {
    public WindowedGaussian() {
        this(6400);
    }

    public double[] score(double[] values) {
        double[] out = new double[values.length];
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < values.length; i++) {
            int n = Math.min(i, window);
            if (n >= 2) {
                double mean = sum / n;
                double var = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
                double sd = Math.sqrt(var);
                out[i] = sd > 0 ? Erf.erf(Math.abs(values[i] - mean) / sd / Math.sqrt(2)) : (values[i] == mean ? 0 : 1);
            }
            sum += values[i];
            sumSq += values[i] * values[i];
            if (i >= window) {
                sum -= values[i - window];
                sumSq -= values[i - window] * values[i - window];
            }
        }
        return out;
    }
}
