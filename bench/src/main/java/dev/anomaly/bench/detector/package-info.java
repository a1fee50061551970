/**
 * {@code anomaly bench detector}: the detector end to end on the embedded stack, each application in its own JVM,
 * against a pass-through and a no-op limit, with the produce-to-alert latency probe.
 */
package dev.anomaly.bench.detector;
