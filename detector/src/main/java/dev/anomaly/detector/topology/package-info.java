/**
 * The Kafka Streams topology, a pure function of the configuration: the batching, crash-safe scoring processor and
 * the dead-letter records it writes.
 */
package dev.anomaly.detector.topology;
