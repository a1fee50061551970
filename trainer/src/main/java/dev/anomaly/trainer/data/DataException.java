package dev.anomaly.trainer.data;

/** Input data cannot be used: unreadable file, wrong or missing columns, non-numeric values, no rows. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
