package dev.anomaly.trainer.nab;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.NativeMemory;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A dense autoencoder over sliding windows of a series, as a NAB detector: trained on the windows of the probationary
 * period only (the first rows, the only ones NAB lets a detector learn from), then each row scored by the model's
 * score of the window of {@code width} rows ending at it — rows before i only. Values are standardised by the
 * probationary period's median and inter-quartile range; a window score s becomes s / (s + q), q the 99th percentile of
 * the probationary windows' scores, so that scores stay ordered in [0, 1) far into the tail.
 */
public record WindowedAutoencoder(int width, int epochs) {
    public WindowedAutoencoder() {
        this(16, 60);
    }

    public double[] score(double[] values, int probation, long seed) {
        int n = values.length;
        double[] out = new double[n];
        if (probation < width + 20) {
            return out; // too little to learn from: no detections
        }
        double[] head = Arrays.copyOf(values, probation);
        Arrays.sort(head);
        double median = head[head.length / 2];
        double iqr = head[(int) (0.75 * (head.length - 1))] - head[(int) (0.25 * (head.length - 1))];
        double scale = iqr > 1e-12 ? iqr / 1.349 : Math.max(1e-6, Math.abs(median) * 1e-3 + 1e-6);
        Dataset train = windows(values, width - 1, probation, median, scale);
        Dataset all = windows(values, width - 1, n, median, scale);
        TrainingConfig d = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), width, train.rows());
        TrainingConfig config = d.withEpochs(epochs).withSeed(seed);
        byte[] onnx = TrainingJob.run(train, config, "nab", 1, ProgressListener.NONE).onnx();
        double[] trainScores = TrainingJob.scores(onnx, train);
        double[] allScores = TrainingJob.scores(onnx, all);
        NativeMemory.release();
        double[] sorted = trainScores.clone();
        Arrays.sort(sorted);
        double q = Math.max(1e-9, sorted[(int) (0.99 * (sorted.length - 1))] - Math.min(0, sorted[0]));
        for (int i = width - 1; i < n; i++) {
            double s = allScores[i - (width - 1)] - Math.min(0, sorted[0]); // non-negative
            out[i] = s / (s + q);
        }
        return out;
    }

    /** The windows ending at rows {@code from}..{@code to - 1}, standardised, one per row. */
    private Dataset windows(double[] values, int from, int to, double median, double scale) {
        List<Feature> features = new ArrayList<>();
        for (int j = 0; j < width; j++) {
            features.add(Feature.numeric("t" + (j - width + 1)));
        }
        int rows = to - from;
        float[] x = new float[rows * width];
        for (int r = 0; r < rows; r++) {
            int end = from + r;
            for (int j = 0; j < width; j++) {
                x[r * width + j] = (float) ((values[end - width + 1 + j] - median) / scale);
            }
        }
        return new Dataset(FeatureSpec.of(features.toArray(Feature[]::new)), x, rows, Optional.empty(), "windows");
    }
}
