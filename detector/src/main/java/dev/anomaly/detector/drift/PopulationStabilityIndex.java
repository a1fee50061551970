package dev.anomaly.detector.drift;

/**
 * PSI over the bins the baseline's cut points make: a bin's expected mass is the probability between its cut points,
 * its observed mass the window's share; {@code PSI = sum (o - e) ln(o / e)}, masses floored at 1e-4. Rule of thumb:
 * 0.1 moderate, 0.25 major drift.
 */
public record PopulationStabilityIndex(double threshold) implements DriftStatistic {
    private static final double FLOOR = 1e-4;

    @Override
    public String name() {
        return "psi";
    }

    @Override
    public double of(Window window, BaselineCdf baseline) {
        double psi = 0;
        double previousExpected = 0;
        double previousObserved = 0;
        int m = baseline.size();
        for (int i = 0; i <= m; i++) {
            double expectedCdf = i < m ? baseline.cdf()[i] : 1.0;
            double observedCdf = i < m ? window.cdf(baseline.cuts()[i]) : 1.0;
            double e = Math.max(FLOOR, expectedCdf - previousExpected);
            double o = Math.max(FLOOR, observedCdf - previousObserved);
            psi += (o - e) * Math.log(o / e);
            previousExpected = expectedCdf;
            previousObserved = observedCdf;
        }
        return psi;
    }
}
