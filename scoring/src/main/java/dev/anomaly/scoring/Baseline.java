package dev.anomaly.scoring;

import dev.anomaly.schemas.avro.BaselineStatistics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training distribution of scores and features: quantiles at fixed probabilities. The detector's drift check compares
 * live windows with it.
 *
 * @param probabilities    quantile levels, ascending in (0, 1)
 * @param scoreQuantiles   score quantiles on the calibration rows
 * @param featureQuantiles per input column, quantiles in raw units on the training rows
 * @param rows             rows the statistics were computed on
 */
public record Baseline(double[] probabilities, double[] scoreQuantiles, Map<String, double[]> featureQuantiles, long rows) {
    /** Cut points for drift bins: equal tenths plus the tails. */
    public static final double[] DEFAULT_PROBABILITIES = {0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};

    public Baseline {
        featureQuantiles = new LinkedHashMap<>(featureQuantiles);
        if (scoreQuantiles.length != probabilities.length) {
            throw new IllegalArgumentException("scoreQuantiles must have one value per probability");
        }
        for (Map.Entry<String, double[]> e : featureQuantiles.entrySet()) {
            if (e.getValue().length != probabilities.length) {
                throw new IllegalArgumentException("feature quantiles of '" + e.getKey() + "' must have one value per probability");
            }
        }
    }

    /** Quantiles of {@code values} at {@code probabilities} (linear interpolation between order statistics). */
    public static double[] quantiles(double[] values, double[] probabilities) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] q = new double[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            q[i] = quantileOfSorted(sorted, probabilities[i]);
        }
        return q;
    }

    /** The {@code p}-quantile of ascending {@code sorted} values, interpolating linearly (numpy's default). */
    public static double quantileOfSorted(double[] sorted, double p) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("quantile of no values");
        }
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    public BaselineStatistics toAvro() {
        Map<String, List<Double>> features = new LinkedHashMap<>();
        featureQuantiles.forEach((k, v) -> features.put(k, Arrays.stream(v).boxed().toList()));
        return BaselineStatistics.newBuilder()
                .setProbabilities(Arrays.stream(probabilities).boxed().toList())
                .setScoreQuantiles(Arrays.stream(scoreQuantiles).boxed().toList())
                .setFeatureQuantiles(features)
                .setRows(rows)
                .build();
    }

    public static Baseline fromAvro(BaselineStatistics avro) {
        Map<String, double[]> features = new LinkedHashMap<>();
        avro.getFeatureQuantiles().forEach((k, v) -> features.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return new Baseline(avro.getProbabilities().stream().mapToDouble(Double::doubleValue).toArray(),
                avro.getScoreQuantiles().stream().mapToDouble(Double::doubleValue).toArray(), features, avro.getRows());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Baseline b && Arrays.equals(probabilities, b.probabilities) && Arrays.equals(scoreQuantiles, b.scoreQuantiles)
                && rows == b.rows && featureQuantiles.keySet().equals(b.featureQuantiles.keySet())
                && featureQuantiles.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(), b.featureQuantiles.get(e.getKey())));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(scoreQuantiles) * 31 + Long.hashCode(rows);
    }

    @Override
    public String toString() {
        return "Baseline[rows=" + rows + ", scoreQuantiles=" + Arrays.toString(scoreQuantiles) + ", features=" + featureQuantiles.keySet() + "]";
    }
}
