package dev.anomaly.schemas.registry;

/** A registry call failed. The message names the registry URL and the subject or id concerned. */
public class SchemaRegistryException extends RuntimeException {
    private final int status;

    public SchemaRegistryException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public SchemaRegistryException(String message, int status) {
        this(message, status, null);
    }

    /** HTTP status of the failed call, or -1 when no response was received. */
    public int status() {
        return status;
    }
}
