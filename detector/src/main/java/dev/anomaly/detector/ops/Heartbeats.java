package dev.anomaly.detector.ops;

/**
 * What the topology reports so that health checks can tell a working detector from a stuck one: each stream thread's
 * ticks (its wall-clock punctuation, at least every 100 ms while it is not blocked), and each model call's start and end.
 */
public interface Heartbeats {
    Heartbeats NONE = new Heartbeats() {
        @Override
        public void streamThreadTick(long nowMs) {
        }

        @Override
        public long scoringStarted() {
            return 0;
        }

        @Override
        public void scoringFinished(long token) {
        }
    };

    /** A batch waits for the schema registry ({@code problem}: why it cannot be used), or no longer does (null). */
    default void registryWait(String problem) {
    }

    /** The calling stream thread is alive and not blocked. */
    void streamThreadTick(long nowMs);

    /** A batch starts scoring on the calling thread; returns a token for {@link #scoringFinished}. */
    long scoringStarted();

    void scoringFinished(long token);
}
