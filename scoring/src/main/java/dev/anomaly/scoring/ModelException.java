package dev.anomaly.scoring;

/** A model cannot be loaded, is not a valid anomaly model, or fails to run. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
