/**
 * Export of a trained network as one self-contained ONNX file, and the parity check of that file against the
 * plain-Java reference.
 */
package dev.anomaly.trainer.export;
