package dev.anomaly.schemas.features;

/** What to do with a categorical value outside the training vocabulary. */
public enum UnknownCategoryPolicy {
    /** Count it in the feature's "other" column (the model then sees a category it rarely saw: a likely alert). */
    OTHER,
    /** Refuse the record with {@link FeatureExtractionException.Reason#UNKNOWN_CATEGORY}. */
    REJECT
}
