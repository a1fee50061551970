package dev.anomaly.trainer.reference;

/** PyOD's kNN default: the distance to the k-th (5th) nearest training row, on columns standardised on the training rows. */
public record NearestNeighbours(int k) implements ReferenceDetector {
    public NearestNeighbours() {
        this(5);
    }

    @Override
    public String name() {
        return "kNN (k=" + k + ")";
    }

    @Override
    public double[] fitScore(float[] train, int trainRows, float[] test, int testRows, int width, long seed) {
        double[][] by = ReferenceDetector.standardisation(train, trainRows, width);
        double[] a = ReferenceDetector.standardise(train, trainRows, width, by);
        double[] b = ReferenceDetector.standardise(test, testRows, width, by);
        double[] scores = new double[testRows];
        double[] nearest = new double[k]; // the k smallest squared distances so far, ascending
        for (int r = 0; r < testRows; r++) {
            java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
            for (int t = 0; t < trainRows; t++) {
                double d = 0;
                for (int j = 0; j < width && d < nearest[k - 1]; j++) {
                    double e = b[r * width + j] - a[t * width + j];
                    d += e * e;
                }
                if (d < nearest[k - 1]) {
                    int i = k - 1;
                    while (i > 0 && nearest[i - 1] > d) {
                        nearest[i] = nearest[i - 1];
                        i--;
                    }
                    nearest[i] = d;
                }
            }
            scores[r] = Math.sqrt(nearest[Math.min(k, trainRows) - 1]);
        }
        return scores;
    }
}
