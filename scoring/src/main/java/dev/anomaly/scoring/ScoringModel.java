package dev.anomaly.scoring;

/** Scores batches of raw input rows. One model version; implementations are thread-safe. */
public interface ScoringModel extends AutoCloseable {
    ModelMetadata metadata();

    /** Number of input columns per row. */
    int width();

    /**
     * Scores {@code rows} rows stored row-major in {@code input} (at least {@code rows * width()} floats).
     *
     * @throws ModelException when the runtime fails
     */
    ScoreBatch score(float[] input, int rows);

    /**
     * Scores like {@link #score} but explains only the rows whose score exceeds {@code threshold}: the expected values
     * and contributions of the other rows are left 0. Scores are exactly those of {@link #score}. The detector's path:
     * only alerts carry an explanation.
     */
    default ScoreBatch scoreExplainingAbove(float[] input, int rows, double threshold) {
        return score(input, rows);
    }

    @Override
    void close();
}
