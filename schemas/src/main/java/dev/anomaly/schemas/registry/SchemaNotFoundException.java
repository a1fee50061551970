package dev.anomaly.schemas.registry;

/** The registry has no schema for the requested id, or no such subject or version. */
public class SchemaNotFoundException extends SchemaRegistryException {
    public SchemaNotFoundException(String message) {
        super(message, 404);
    }
}
