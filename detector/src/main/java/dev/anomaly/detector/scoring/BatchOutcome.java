package dev.anomaly.detector.scoring;

import java.util.List;

/**
 * What became of a batch of records: those scored, in input order, with the result (row {@code i} of
 * {@code result} is {@code scored.get(i)}), their serialized alerts (null below the threshold) and score texts (null
 * without a scores topic); and those rejected, with why.
 *
 * @param scoringNanos time spent in the model
 */
public record BatchOutcome(List<PendingRecord> scored, ModelHolder.Scored result, byte[][] alerts, byte[][] scores,
                           List<Rejection> rejected, long scoringNanos) {
}
