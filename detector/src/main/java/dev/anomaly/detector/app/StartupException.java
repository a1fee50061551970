package dev.anomaly.detector.app;

/** The detector cannot start in this environment (a topic is missing, a port is taken); the message says what to do. */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
