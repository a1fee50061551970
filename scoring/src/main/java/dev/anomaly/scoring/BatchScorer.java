package dev.anomaly.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Scores a batch of raw feature rows with one model the way the detector does: every row's score, and the expected
 * values and contributions of the rows that alert ({@link ModelMetadata#isAlert}). Rows the model cannot score are
 * reported as faults rather than failing the batch: a row scored NaN or infinite ({@link Fault#NOT_FINITE_SCORE}); and,
 * when the model throws on the batch, the rows it throws on alone, found by halving the batch
 * ({@link Fault#SCORING_FAILED}). Pure: no I/O, no state; thread-safe as the model is.
 */
public final class BatchScorer {
    private BatchScorer() {
    }

    /** A row the model could not score, and why. */
    public record Fault(int row, String reason, String message) {
        public static final String SCORING_FAILED = "SCORING_FAILED";
        public static final String NOT_FINITE_SCORE = "NOT_FINITE_SCORE";
    }

    /** The scores of a batch; rows in {@code faults} have no usable score (NaN there). */
    public record Result(ScoreBatch batch, List<Fault> faults) {
    }

    /** Scores {@code rows} rows, explaining those that alert; throws what the model throws. */
    public static ScoreBatch score(ScoringModel model, float[] values, int rows) {
        if (rows == 0) {
            return new ScoreBatch(0, model.width(), new float[0], new float[0], new float[0]);
        }
        return model.scoreExplainingAbove(values, rows, model.metadata().threshold());
    }

    /** The rows of {@code batch} with a non-finite score, as faults (row numbers shifted by {@code offset}). */
    public static List<Fault> nonFinite(ScoreBatch batch, int offset) {
        List<Fault> faults = List.of();
        for (int i = 0; i < batch.rows(); i++) {
            float s = batch.score()[i];
            if (!Float.isFinite(s)) {
                if (faults.isEmpty()) {
                    faults = new ArrayList<>();
                }
                faults.add(new Fault(offset + i, Fault.NOT_FINITE_SCORE, "the model scored " + s));
            }
        }
        return faults;
    }

    /**
     * Scores a batch the model threw on as a whole ({@code cause}), halving it until the failing rows are alone; they
     * become faults, every other row is scored.
     */
    public static Result isolate(ScoringModel model, float[] values, int rows, RuntimeException cause) {
        int w = model.width();
        float[] score = new float[rows];
        Arrays.fill(score, Float.NaN);
        float[] expected = new float[rows * w];
        float[] contribution = new float[rows * w];
        List<Fault> faults = new ArrayList<>();
        isolate(model, values, 0, rows, score, expected, contribution, faults, cause);
        faults.sort(Comparator.comparingInt(Fault::row));
        return new Result(new ScoreBatch(rows, w, score, expected, contribution), faults);
    }

    private static void isolate(ScoringModel model, float[] values, int from, int to, float[] score, float[] expected,
                                float[] contribution, List<Fault> faults, RuntimeException known) {
        int w = model.width();
        int n = to - from;
        RuntimeException failure = known;
        if (failure == null) {
            try {
                ScoreBatch part = score(model, Arrays.copyOfRange(values, from * w, to * w), n);
                System.arraycopy(part.score(), 0, score, from, n);
                System.arraycopy(part.expected(), 0, expected, from * w, n * w);
                System.arraycopy(part.contribution(), 0, contribution, from * w, n * w);
                faults.addAll(nonFinite(part, from));
                return;
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (n == 1) {
            faults.add(new Fault(from, Fault.SCORING_FAILED, "the model failed on this row: " + failure.getMessage()));
            return;
        }
        int mid = from + n / 2;
        isolate(model, values, from, mid, score, expected, contribution, faults, null);
        isolate(model, values, mid, to, score, expected, contribution, faults, null);
    }
}
