package dev.anomaly.detector.topology;

/** A batch was handed to a scoring thread and did not come back within the scoring timeout. */
public final class ScoringStalledException extends RuntimeException {
    public ScoringStalledException(String message) {
        super(message);
    }
}
