package dev.anomaly.trainer.reference;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * PCA as a detector: on columns standardised on the training rows, the sum over all principal components of the
 * squared projection divided by the component's variance — the Mahalanobis distance, weighing deviations along the
 * minor components, where normal data hardly varies, the most. (PyOD's weighted variant, which the reference figures in
 * {@code ../shared/datasets} come from, differs on small sets; docs/evaluation.md compares the two.)
 */
public record PrincipalComponents() implements ReferenceDetector {
    @Override
    public String name() {
        return "PCA";
    }

    @Override
    public double[] fitScore(float[] train, int trainRows, float[] test, int testRows, int width, long seed) {
        double[][] by = ReferenceDetector.standardisation(train, trainRows, width);
        double[] a = ReferenceDetector.standardise(train, trainRows, width, by);
        double[] b = ReferenceDetector.standardise(test, testRows, width, by);
        double[][] cov = new double[width][width];
        for (int r = 0; r < trainRows; r++) {
            for (int i = 0; i < width; i++) {
                double xi = a[r * width + i];
                for (int j = i; j < width; j++) {
                    cov[i][j] += xi * a[r * width + j];
                }
            }
        }
        for (int i = 0; i < width; i++) {
            for (int j = i; j < width; j++) {
                cov[i][j] /= Math.max(1, trainRows - 1);
                cov[j][i] = cov[i][j];
            }
        }
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] values = eigen.getRealEigenvalues();
        RealMatrix vectors = eigen.getV();
        double floor = 1e-12 * Math.max(1, java.util.Arrays.stream(values).max().orElse(1));
        double[] scores = new double[testRows];
        for (int r = 0; r < testRows; r++) {
            double s = 0;
            for (int c = 0; c < width; c++) {
                if (values[c] <= floor) {
                    continue; // a direction with no variance in training: no scale to measure deviations by
                }
                double p = 0;
                for (int j = 0; j < width; j++) {
                    p += b[r * width + j] * vectors.getEntry(j, c);
                }
                s += p * p / values[c];
            }
            scores[r] = s;
        }
        return scores;
    }
}
