package dev.anomaly.scoring;

/**
 * Scores of a batch of {@code rows} records with {@code columns} input columns each.
 *
 * @param score        anomaly score per row
 * @param expected     row-major {@code rows x columns}: the model's reconstruction in raw units
 * @param contribution row-major {@code rows x columns}: each column's share of the score (the row sums to the score)
 */
public record ScoreBatch(int rows, int columns, float[] score, float[] expected, float[] contribution) {
    public float expected(int row, int column) {
        return expected[row * columns + column];
    }

    public float contribution(int row, int column) {
        return contribution[row * columns + column];
    }
}
