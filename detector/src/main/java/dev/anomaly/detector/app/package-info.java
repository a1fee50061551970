/**
 * The detector as a process: start-up checks (broker, topics, registry, first model), Kafka Streams with its
 * failure policy, model release watching, the {@code detect} and {@code health} commands and the detector's own
 * command line.
 */
package dev.anomaly.detector.app;
