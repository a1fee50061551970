/**
 * The model file format (metadata, baseline, the alert rule) and batch scoring with a failing row isolated; no
 * Kafka, no DL4J.
 */
package dev.anomaly.scoring;
