/**
 * A client of the Confluent Schema Registry REST API (and Apicurio's compatible one) with caching, retries, fail-
 * over, TLS and basic auth; an in-memory registry for tests.
 */
package dev.anomaly.schemas.registry;
