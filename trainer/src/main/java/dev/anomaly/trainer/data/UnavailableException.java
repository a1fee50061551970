package dev.anomaly.trainer.data;

/** Kafka or the schema registry could not be reached in time: not the data's or the model's fault (exit code 5). */
public class UnavailableException extends RuntimeException {
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
