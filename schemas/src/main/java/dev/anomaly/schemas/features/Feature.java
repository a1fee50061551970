package dev.anomaly.schemas.features;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One input feature.
 *
 * @param name       column name used in models, alerts and reports
 * @param path       Avro field path, dot-separated through nested records (for example {@code readings.rpm})
 * @param type       how the value is encoded
 * @param categories training vocabulary, in column order (categorical only; empty otherwise)
 * @param edges      bucket edges, strictly increasing (bucketed only; empty otherwise): bucket i holds
 *                   edges[i-1] <= x < edges[i]
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Feature(String name, String path, FeatureType type, List<String> categories, List<Double> edges) {
    /** Name suffix of a categorical feature's column for values outside the vocabulary. */
    public static final String OTHER = "__other__";

    public Feature {
        Objects.requireNonNull(name, "feature name");
        Objects.requireNonNull(type, "feature type of " + name);
        if (name.isBlank()) {
            throw new IllegalArgumentException("Feature name must not be blank");
        }
        path = path == null || path.isBlank() ? name : path;
        categories = categories == null ? List.of() : List.copyOf(categories);
        if (type == FeatureType.CATEGORICAL && categories.isEmpty()) {
            throw new IllegalArgumentException("Categorical feature '" + name + "' needs a non-empty vocabulary");
        }
        if (type != FeatureType.CATEGORICAL && !categories.isEmpty()) {
            throw new IllegalArgumentException("Feature '" + name + "' is " + type + " but has categories");
        }
        if (categories.stream().distinct().count() != categories.size()) {
            throw new IllegalArgumentException("Categorical feature '" + name + "' has duplicate categories");
        }
        edges = edges == null ? List.of() : List.copyOf(edges);
        if (type == FeatureType.BUCKETED && edges.isEmpty()) {
            throw new IllegalArgumentException("Bucketed feature '" + name + "' needs at least one edge");
        }
        if (type != FeatureType.BUCKETED && !edges.isEmpty()) {
            throw new IllegalArgumentException("Feature '" + name + "' is " + type + " but has bucket edges");
        }
        for (int i = 0; i < edges.size(); i++) {
            if (!Double.isFinite(edges.get(i)) || (i > 0 && !(edges.get(i) > edges.get(i - 1)))) {
                throw new IllegalArgumentException("Bucketed feature '" + name + "' needs finite, strictly increasing edges: " + edges);
            }
        }
    }

    public Feature(String name, String path, FeatureType type, List<String> categories) {
        this(name, path, type, categories, List.of());
    }

    /** A number cut into {@code edges.size() + 1} buckets, one-hot. */
    public static Feature bucketed(String name, List<Double> edges) {
        return new Feature(name, name, FeatureType.BUCKETED, List.of(), edges);
    }

    /** A value inside bucket {@code b}: its middle, or half the neighbouring bucket's width beyond the outer edges. */
    public double representative(int b) {
        int n = edges.size();
        double step = n > 1 ? (edges.get(n - 1) - edges.get(0)) / (n - 1) : 1.0;
        if (b <= 0) {
            return edges.get(0) - step / 2;
        }
        if (b >= n) {
            return edges.get(n - 1) + step / 2;
        }
        return (edges.get(b - 1) + edges.get(b)) / 2;
    }

    /** The bucket of {@code x}: the number of edges at or below it. */
    public int bucket(double x) {
        int lo = 0;
        int hi = edges.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (edges.get(mid) <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    public static Feature numeric(String name) {
        return new Feature(name, name, FeatureType.NUMERIC, List.of());
    }

    public static Feature bool(String name) {
        return new Feature(name, name, FeatureType.BOOLEAN, List.of());
    }

    public static Feature categorical(String name, List<String> categories) {
        return new Feature(name, name, FeatureType.CATEGORICAL, categories);
    }

    /** Number of model input columns. */
    public int width() {
        return switch (type) {
            case CATEGORICAL -> categories.size() + 1;
            case BUCKETED -> edges.size() + 1;
            default -> 1;
        };
    }

    /** Model input column names: the name, or {@code name=category} per category then {@code name=__other__}. */
    public List<String> columnNames() {
        if (type == FeatureType.BUCKETED) {
            List<String> names = new ArrayList<>(width());
            names.add(name + "<" + num(edges.get(0)));
            for (int i = 1; i < edges.size(); i++) {
                names.add(name + "=[" + num(edges.get(i - 1)) + "," + num(edges.get(i)) + ")");
            }
            names.add(name + ">=" + num(edges.get(edges.size() - 1)));
            return names;
        }
        if (type != FeatureType.CATEGORICAL) {
            return List.of(name);
        }
        List<String> names = new ArrayList<>(width());
        for (String c : categories) {
            names.add(name + "=" + c);
        }
        names.add(name + "=" + OTHER);
        return names;
    }

    private static String num(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }
}
