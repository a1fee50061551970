package dev.anomaly.trainer.model;

/** How numeric columns are centred and scaled before the network (inside the exported model). */
public enum Scaling {
    /** (x - median) / (IQR / 1.349): insensitive to the anomalies in contaminated training data; the default. */
    ROBUST,
    /** (x - mean) / standard deviation. */
    STANDARD
}
