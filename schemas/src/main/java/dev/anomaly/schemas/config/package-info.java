/**
 * Configuration of our services: properties file, environment overrides and validation against a Kafka
 * {@code ConfigDef} of our own keys, one place for all of them.
 */
package dev.anomaly.schemas.config;
