package dev.anomaly.schemas.features;

/** A record cannot be turned into model input. The message names the feature, its path and what was found. */
public class FeatureExtractionException extends RuntimeException {
    /** Stable reason codes, used in dead-letter headers and metrics. */
    public enum Reason {
        /** The record's schema has no field at the feature's path. */
        MISSING_FIELD,
        /** The field is present but null. */
        NULL_VALUE,
        /** A numeric value is NaN or infinite. */
        NOT_FINITE,
        /** The value's type does not fit the feature type (for example a string for a numeric feature). */
        WRONG_TYPE,
        /** A categorical value outside the vocabulary, with policy REJECT. */
        UNKNOWN_CATEGORY
    }

    private final Reason reason;
    private final String feature;

    public FeatureExtractionException(Reason reason, Feature feature, String detail) {
        super(reason + ": feature '" + feature.name() + "' (path " + feature.path() + "): " + detail, null, false, false);
        this.reason = reason;
        this.feature = feature.name();
    }

    public Reason reason() {
        return reason;
    }

    public String feature() {
        return feature;
    }
}
