/**
 * The model families, one class each ({@link dev.anomaly.trainer.family.Autoencoder}, {@link
 * dev.anomaly.trainer.family.VariationalAutoencoder}) with their DL4J networks, registered by kind in {@link
 * dev.anomaly.trainer.family.ModelFamilies}.
 */
package dev.anomaly.trainer.family;
