/**
 * Scoring on ONNX Runtime (CPU, or CUDA with a fall-back to CPU) and the pruning of outputs a caller does not
 * read.
 */
package dev.anomaly.scoring.onnx;
