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
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Feature(String name, String path, FeatureType type, List<String> categories) {
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
        return type == FeatureType.CATEGORICAL ? categories.size() + 1 : 1;
    }

    /** Model input column names: the name, or {@code name=category} per category then {@code name=__other__}. */
    public List<String> columnNames() {
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
}
