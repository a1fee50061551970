/**
 * Avro serdes in the Confluent wire format, with decode limits that make a hostile record an error rather than an
 * OutOfMemoryError.
 */
package dev.anomaly.schemas.serde;
