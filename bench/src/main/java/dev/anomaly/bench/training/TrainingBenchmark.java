package dev.anomaly.bench.training;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.NetworkTrainer;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.Scaling;
import dev.anomaly.trainer.model.TrainingConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

/**
 * Seconds per training epoch on synthetic tabular data (rows x features, correlated through a few latent factors),
 * batch 256, AE 30-64-8-64-30 and VAE enc 64 / latent 8 / dec 64: the setting the trainer issue defines. Measures
 * epochs after a warm-up epoch; the validation pass is excluded by using a tiny held-out set.
 */
public final class TrainingBenchmark {
    private TrainingBenchmark() {
    }

    public static Dataset synthetic(int rows, int features, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int factors = 8;
        double[][] mix = new double[factors][features];
        for (double[] m : mix) {
            for (int j = 0; j < features; j++) {
                m[j] = r.nextGaussian();
            }
        }
        float[] values = new float[rows * features];
        double[] f = new double[factors];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < factors; k++) {
                f[k] = r.nextGaussian();
            }
            for (int j = 0; j < features; j++) {
                double v = 0.1 * r.nextGaussian();
                for (int k = 0; k < factors; k++) {
                    v += f[k] * mix[k][j];
                }
                values[i * features + j] = (float) v;
            }
        }
        List<Feature> spec = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            spec.add(Feature.numeric("f" + j));
        }
        return new Dataset(new FeatureSpec(spec, null), values, rows, Optional.empty(), "synthetic " + rows + "x" + features);
    }

    /** Returns {name: seconds per epoch}. */
    public static Map<String, Double> run(int rows, int features, int epochs) {
        Dataset data = synthetic(rows, features, 1);
        Dataset validation = data.select(new int[]{0, 1, 2, 3, 4, 5, 6, 7}, "tiny");
        Normalizer normalizer = Normalizer.fit(data, Scaling.STANDARD);
        Map<String, Double> out = new LinkedHashMap<>();
        for (ModelFamily family : ModelFamilies.all()) {
            ModelKind kind = family.kind();
            // patience > epochs: every epoch runs. Warm-up epoch first (JIT, workspaces), then the timed ones.
            TrainingConfig config = new TrainingConfig(family, new int[]{64}, 8, family.defaultActivation(),
                    epochs + 1, 256, 1e-3, 0, 0.2, epochs + 2, 1, 0, Scaling.STANDARD, 0.01, OptionalDouble.empty());
            long[] epochEnds = new long[epochs + 2];
            long start = System.nanoTime();
            NetworkTrainer.train(data, validation, normalizer, config, (e, m, tl, vl, best, ms) -> epochEnds[e] = System.nanoTime());
            double seconds = (epochEnds[epochs + 1] - epochEnds[1]) / 1e9 / epochs;
            out.put("train." + kind.name().toLowerCase() + ".seconds_per_epoch", seconds);
            out.put("train." + kind.name().toLowerCase() + ".first_epoch_seconds", (epochEnds[1] - start) / 1e9);
        }
        return out;
    }
}
