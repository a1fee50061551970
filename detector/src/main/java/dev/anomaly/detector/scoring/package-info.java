/**
 * Scoring without Kafka: the serving model and its hot swap with probation, admission and validation of releases,
 * decoding and extraction of a batch, alerts and rejections.
 */
package dev.anomaly.detector.scoring;
