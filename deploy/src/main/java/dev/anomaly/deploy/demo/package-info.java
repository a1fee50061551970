/**
 * {@code anomaly demo}: the whole story on the embedded stack (train, publish, detect, alert, drift, retrain,
 * summarise), and the simulated pump telemetry it and {@code anomaly simulate} produce.
 */
package dev.anomaly.deploy.demo;
