/**
 * {@code anomaly bench kernel}: JMH measurements of the scoring kernel, ONNX Runtime against DL4J's forward pass,
 * per batch size.
 */
package dev.anomaly.bench.kernel;
