/**
 * Training data: CSV, Avro container files and Kafka topic ranges read into a dataset, with the checks and
 * warnings a user needs before training.
 */
package dev.anomaly.trainer.data;
