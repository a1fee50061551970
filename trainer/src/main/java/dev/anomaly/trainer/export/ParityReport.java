package dev.anomaly.trainer.export;

/**
 * Largest relative differences between ONNX Runtime and the reference computations on the checked rows.
 * Relative difference: {@code |onnx - reference| / max(|reference|, 1)} for score, contributions and latent code
 * (normalised units), and {@code |onnx - reference| / max(|reference|, |center|, scale, 1)} for expected values (raw
 * units, whose float32 rounding is of the order of the column's centre). Float32 rounding stays far below the
 * tolerance; a real mismatch is of the order of the values themselves.
 */
public record ParityReport(int rows, double score, double contribution, double expected, double latent, double tolerance) {
    public double max() {
        return Math.max(Math.max(score, contribution), Math.max(expected, latent));
    }

    public boolean passed() {
        return max() <= tolerance;
    }

    @Override
    public String toString() {
        return String.format("parity on %d rows: max relative difference %.2e (score %.2e, contribution %.2e, expected %.2e, latent %.2e; tolerance %.0e)",
                rows, max(), score, contribution, expected, latent, tolerance);
    }
}
