/**
 * The feature spec: which fields of a record, of which type, make the model's input row, and their extraction with
 * typed errors.
 */
package dev.anomaly.schemas.features;
