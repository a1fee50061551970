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

    /**
     * Whether the failure says nothing about what was asked for, only that the registry cannot answer now: no
     * response, a 5xx, refused credentials (401, 403, 407), a timeout (408) or rate limiting (429). Worth retrying;
     * never a reason to reject a record.
     */
    public boolean unavailable() {
        return status < 0 || status >= 500 || status == 401 || status == 403 || status == 407 || status == 408 || status == 429;
    }
}
