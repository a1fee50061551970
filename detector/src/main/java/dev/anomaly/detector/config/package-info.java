/**
 * The detector's settings: keys, defaults, documentation and validation that names the bad key; everything not
 * {@code detector.*} goes to Kafka Streams and the serdes.
 */
package dev.anomaly.detector.config;
