package dev.anomaly.schemas.model;

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

    @Override
    void close();
}
