package dev.anomaly.schemas.features;

/** How a field becomes model input. */
public enum FeatureType {
    /** int, long, float or double; one column, the value itself (must be finite). */
    NUMERIC,
    /** boolean; one column, 0 or 1. */
    BOOLEAN,
    /** string or enum with a fixed vocabulary; one-hot, one column per category plus one "other" column. */
    CATEGORICAL,
    /**
     * int, long, float or double cut at fixed edges; one-hot, one column per bucket (edges.size() + 1 of them): a number
     * used as a category (hour of day, load band), e.g. the condition of a conditional model.
     */
    BUCKETED
}
