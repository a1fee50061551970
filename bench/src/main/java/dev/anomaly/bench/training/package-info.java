/**
 * {@code anomaly bench train}: seconds per training epoch of each model family on synthetic data.
 */
package dev.anomaly.bench.training;
