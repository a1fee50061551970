package dev.anomaly.schemas.registry;

/** The registry refused a schema because it breaks the subject's compatibility rule. */
public class IncompatibleSchemaException extends SchemaRegistryException {
    public IncompatibleSchemaException(String message) {
        super(message, 409);
    }
}
