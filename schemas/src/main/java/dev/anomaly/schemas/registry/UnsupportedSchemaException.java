package dev.anomaly.schemas.registry;

/**
 * The registry has the id, but what it holds cannot be read as Avro (a Protobuf or JSON schema, unparseable text), or
 * it refused the lookup with a 4xx that concerns the id itself. Ids are immutable, so this answer never changes.
 */
public class UnsupportedSchemaException extends SchemaRegistryException {
    public UnsupportedSchemaException(String message, int status) {
        super(message, status);
    }
}
