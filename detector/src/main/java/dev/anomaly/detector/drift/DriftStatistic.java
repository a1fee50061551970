package dev.anomaly.detector.drift;

/**
 * One measure of how far a window of values has moved from the training baseline, with the threshold above which it
 * calls that drift. Implementations are registered in {@link DriftStatistics}; each gives one entry of a
 * {@code DriftEvent}'s measures and one {@code anomaly_drift_statistic} gauge.
 */
public interface DriftStatistic {

    /** Short name: the event's and the metric's label ({@code psi}, {@code ks}). */
    String name();

    /** Values above this are drift. */
    double threshold();

    /** The statistic of {@code window} against the baseline. */
    double of(Window window, BaselineCdf baseline);

    default Measurement measure(Window window, BaselineCdf baseline) {
        double value = of(window, baseline);
        return new Measurement(name(), value, threshold(), value > threshold());
    }

    /** One statistic of one distribution in one window. */
    record Measurement(String statistic, double value, double threshold, boolean fired) {
    }
}
