package dev.anomaly.detector.scoring;

import java.util.List;

/**
 * An input record waiting in the batch buffer, exactly as it arrived: bytes, headers and position. It is kept raw so
 * that it reaches the dead-letter topic unchanged, and so that features are extracted with whichever model scores it.
 */
public record PendingRecord(byte[] key, byte[] value, List<Header> headers, String topic, int partition, long offset,
                            long timestamp) {

    /** One record header. */
    public record Header(String key, byte[] value) {
    }
}
