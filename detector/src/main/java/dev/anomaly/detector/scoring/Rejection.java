package dev.anomaly.detector.scoring;

/**
 * A record that cannot be scored, and why: {@code reason} is a stable code (a wire-format or feature-extraction reason,
 * {@code TOMBSTONE}, {@code SCORING_FAILED}, {@code NOT_FINITE_SCORE}), {@code message} says what was wrong.
 */
public record Rejection(PendingRecord record, String reason, String message, int modelVersion) {
}
