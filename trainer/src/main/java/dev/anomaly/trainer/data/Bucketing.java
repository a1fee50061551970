package dev.anomaly.trainer.data;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.FeatureType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a numeric feature into a bucketed one: edges at the quantiles of its values (so the buckets hold about equal
 * shares of the rows; repeated quantiles of a discrete column collapse), the column replaced by one one-hot column per
 * bucket. The detector then extracts the same buckets from the same numeric field (the edges are in the feature spec).
 */
public final class Bucketing {
    private Bucketing() {
    }

    /**
     * {@code data} in the columns of a model's {@code spec}: each numeric feature the model reads bucketed is cut at the
     * model's edges (rows read from CSV are in their own columns; a bucketing model wants its own).
     */
    public static Dataset conform(Dataset data, FeatureSpec spec) {
        for (Feature f : spec.features()) {
            if (f.type() == FeatureType.BUCKETED) {
                boolean numeric = data.spec().features().stream()
                        .anyMatch(d -> d.name().equals(f.name()) && d.type() == FeatureType.NUMERIC);
                if (numeric) {
                    data = cut(data, f.name(), f.edges());
                }
            }
        }
        return data;
    }

    /** {@code spec} with each bucketed feature read as the number it is cut from (what a CSV column holds). */
    public static FeatureSpec numericView(FeatureSpec spec) {
        List<Feature> features = new ArrayList<>();
        for (Feature f : spec.features()) {
            features.add(f.type() == FeatureType.BUCKETED ? new Feature(f.name(), f.path(), FeatureType.NUMERIC, List.of()) : f);
        }
        return new FeatureSpec(features, spec.unknownCategories());
    }

    /** {@code data} with numeric feature {@code name} cut into at most {@code buckets} quantile buckets. */
    public static Dataset bucketize(Dataset data, String name, int buckets) {
        if (buckets < 2) {
            throw new IllegalArgumentException(name + ": at least 2 buckets are needed, got " + buckets);
        }
        FeatureSpec spec = data.spec();
        int start = 0;
        int index = -1;
        for (int i = 0; i < spec.features().size(); i++) {
            if (spec.features().get(i).name().equals(name)) {
                index = i;
                break;
            }
            start += spec.features().get(i).width();
        }
        if (index < 0 || spec.features().get(index).type() != FeatureType.NUMERIC) {
            throw new IllegalArgumentException(name + " is not a numeric feature");
        }
        int w = data.width();
        float[] column = new float[data.rows()];
        for (int r = 0; r < data.rows(); r++) {
            column[r] = data.values()[r * w + start];
        }
        float[] sorted = column.clone();
        Arrays.sort(sorted);
        List<Double> edges = new ArrayList<>();
        for (int b = 1; b < buckets; b++) {
            double edge = sorted[Math.min(sorted.length - 1, (int) Math.floor((double) b * sorted.length / buckets))];
            if (edge > sorted[0] && (edges.isEmpty() || edge > edges.get(edges.size() - 1))) {
                edges.add(edge);
            }
        }
        if (edges.isEmpty()) {
            // One value throughout: one edge at it, every row in the bucket above (the condition then says nothing).
            org.slf4j.LoggerFactory.getLogger(Bucketing.class).warn("{} has a single value ({}) in the data: one bucket", name, sorted[0]);
            edges.add((double) sorted[0]);
        }
        return cut(data, name, edges);
    }

    private static Dataset cut(Dataset data, String name, List<Double> edges) {
        FeatureSpec spec = data.spec();
        int start = 0;
        int index = 0;
        while (!spec.features().get(index).name().equals(name)) {
            start += spec.features().get(index).width();
            index++;
        }
        int w = data.width();
        Feature old = spec.features().get(index);
        Feature bucketed = new Feature(old.name(), old.path(), FeatureType.BUCKETED, List.of(), edges);
        List<Feature> features = new ArrayList<>(spec.features());
        features.set(index, bucketed);
        FeatureSpec newSpec = new FeatureSpec(features, spec.unknownCategories());
        int nw = newSpec.width();
        float[] values = new float[data.rows() * nw];
        for (int r = 0; r < data.rows(); r++) {
            System.arraycopy(data.values(), r * w, values, r * nw, start);
            values[r * nw + start + bucketed.bucket(data.values()[r * w + start])] = 1f;
            System.arraycopy(data.values(), r * w + start + 1, values, r * nw + start + bucketed.width(), w - start - 1);
        }
        return new Dataset(newSpec, values, data.rows(), data.labels(), data.source());
    }
}
