package dev.anomaly.trainer.model;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.trainer.data.Dataset;

import java.util.Arrays;

/**
 * Per-column affine normalisation {@code z = (x - center) / scale}, fitted on training data. Numeric columns are scaled
 * as {@link Scaling} says; a column whose spread is (near) zero falls back to its standard deviation, then to 1, so
 * that a constant training column cannot blow up; boolean and one-hot columns stay 0/1.
 */
public record Normalizer(float[] center, float[] scale) {
    private static final double MIN_SPREAD = 1e-6;

    public static Normalizer fit(Dataset data, Scaling scaling) {
        int w = data.width();
        float[] center = new float[w];
        float[] scale = new float[w];
        Arrays.fill(scale, 1f);
        int col = 0;
        double[] column = new double[data.rows()];
        // A windowed model's input is the record's features once per step: each step's columns are scaled alike.
        int steps = data.spec().window() == null ? 1 : data.spec().window().size();
        java.util.List<Feature> features = new java.util.ArrayList<>();
        for (int step = 0; step < steps; step++) {
            features.addAll(data.spec().features());
        }
        for (Feature f : features) {
            if (f.type() == FeatureType.NUMERIC) {
                for (int i = 0; i < data.rows(); i++) {
                    column[i] = data.get(i, col);
                }
                double mean = 0;
                for (double v : column) {
                    mean += v;
                }
                mean /= column.length;
                double var = 0;
                for (double v : column) {
                    var += (v - mean) * (v - mean);
                }
                double std = Math.sqrt(var / Math.max(1, column.length - 1));
                double c;
                double s;
                if (scaling == Scaling.ROBUST) {
                    double[] sorted = column.clone();
                    Arrays.sort(sorted);
                    c = dev.anomaly.scoring.Baseline.quantileOfSorted(sorted, 0.5);
                    s = (dev.anomaly.scoring.Baseline.quantileOfSorted(sorted, 0.75)
                            - dev.anomaly.scoring.Baseline.quantileOfSorted(sorted, 0.25)) / 1.349;
                    if (s < MIN_SPREAD * (1 + Math.abs(c))) {
                        s = std;
                    }
                } else {
                    c = mean;
                    s = std;
                }
                if (!(s >= MIN_SPREAD * (1 + Math.abs(c)))) {
                    s = 1;
                }
                center[col] = (float) c;
                scale[col] = (float) s;
            }
            col += f.width();
        }
        return new Normalizer(center, scale);
    }

    public int width() {
        return center.length;
    }

    /** Normalised copy of {@code rows} row-major rows. Same float arithmetic as the ONNX graph: (x - c) * (1 / s). */
    public float[] apply(float[] values, int rows) {
        int w = width();
        float[] inv = inverseScale();
        float[] out = new float[rows * w];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < w; j++) {
                out[i * w + j] = (values[i * w + j] - center[j]) * inv[j];
            }
        }
        return out;
    }

    public float[] inverseScale() {
        float[] inv = new float[scale.length];
        for (int j = 0; j < inv.length; j++) {
            inv[j] = 1f / scale[j];
        }
        return inv;
    }
}
