package dev.anomaly.schemas.registry;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry API the project needs: register, look up, check compatibility.
 * Implementations cache what never changes (an id's schema, a subject+schema's id).
 */
public interface SchemaRegistry extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** Returns the id under which {@code schema} is already registered in {@code subject}, without registering. */
    int idOf(String subject, Schema schema);

    /** Returns the schema with global id {@code id}; throws {@link SchemaNotFoundException} when there is none. */
    Schema schemaById(int id);

    /** Returns the latest version registered under {@code subject}. */
    RegisteredSchema latest(String subject);

    /** True when {@code schema} may be registered under {@code subject} given the subject's compatibility level. */
    boolean isCompatible(String subject, Schema schema);

    /** Sets the compatibility level (NONE, BACKWARD, FORWARD, FULL, and their _TRANSITIVE forms) of a subject. */
    void setCompatibility(String subject, String level);

    @Override
    default void close() {
    }
}
