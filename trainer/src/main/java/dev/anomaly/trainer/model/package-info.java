/**
 * What every family shares: the training configuration and loop, normalisation, weights as plain arrays, the
 * plain-Java reference score, the ONNX graph builder, and the {@link dev.anomaly.trainer.model.ModelFamily} seam.
 */
package dev.anomaly.trainer.model;
