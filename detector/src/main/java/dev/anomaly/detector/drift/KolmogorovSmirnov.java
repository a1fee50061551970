package dev.anomaly.detector.drift;

/**
 * KS: {@code max_i |F_window(q_i) - p_i|}, the Kolmogorov-Smirnov distance evaluated at the baseline's cut points
 * (the baseline CDF is known exactly there), a slight underestimate of the full two-sample statistic; in [0, 1].
 */
public record KolmogorovSmirnov(double threshold) implements DriftStatistic {

    @Override
    public String name() {
        return "ks";
    }

    @Override
    public double of(Window window, BaselineCdf baseline) {
        double ks = 0;
        for (int i = 0; i < baseline.size(); i++) {
            ks = Math.max(ks, Math.abs(window.cdf(baseline.cuts()[i]) - baseline.cdf()[i]));
        }
        return ks;
    }
}
