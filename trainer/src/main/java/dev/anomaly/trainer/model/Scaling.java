package dev.anomaly.trainer.model;

/** How numeric columns are centred and scaled before the network (inside the exported model). */
public enum Scaling {
    /**
     * (x - median) / (IQR / 1.349): insensitive to the anomalies in contaminated training data, but a column whose
     * values mostly repeat (small IQR, long tail) gets very large normalised values, which can make VAE training diverge.
     */
    ROBUST,
    /** (x - mean) / standard deviation; the default (better on the benchmark sets, see docs/evaluation.md). */
    STANDARD
}
