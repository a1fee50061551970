package dev.anomaly.detector.topology;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The largest dead-letter record (key, value and headers, as the producer sizes it) the dead-letter topic accepts:
 * the smaller of the producer's {@code max.request.size} and the topic's {@code max.message.bytes}, found at start-up.
 * Shared with the production exception handler, which lowers it when the broker still refuses a dead letter as too
 * large (a limit changed after start-up, or a broker-wide one), so that the replayed batch fits.
 */
public final class DeadLetterLimit {
    /** Below this a dead letter no longer has room for its own headers. */
    public static final int FLOOR = 4096;
    private final AtomicInteger maxBytes;

    public DeadLetterLimit(int maxBytes) {
        this.maxBytes = new AtomicInteger(Math.max(FLOOR, maxBytes));
    }

    public int maxBytes() {
        return maxBytes.get();
    }

    /** Lowers the limit to at most {@code bytes} (never below {@link #FLOOR}); returns the new limit. */
    public int lowerTo(int bytes) {
        return maxBytes.accumulateAndGet(Math.max(FLOOR, bytes), Math::min);
    }
}
