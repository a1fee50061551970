package dev.anomaly.detector.topology;

import java.time.Duration;

/**
 * How the scoring processor batches: at most {@code maxRecords} records or {@code maxBytes} bytes of values per batch,
 * a record waits at most {@code linger}, a batch's scoring may take at most {@code scoringTimeout} before the stream
 * thread gives up waiting for it (the task fails; health reports the stuck call), and a batch whose records need a
 * schema the unreachable registry must give waits for it at most {@code registryWait} in place before the task fails.
 */
public record BatchSettings(int maxRecords, long maxBytes, Duration linger, Duration scoringTimeout, Duration registryWait) {
    public BatchSettings {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("batch limits must be >= 1");
        }
    }
}
