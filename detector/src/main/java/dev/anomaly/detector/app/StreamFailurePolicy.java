package dev.anomaly.detector.app;

import dev.anomaly.detector.ops.HealthState;
import dev.anomaly.detector.topology.ScoringStalledException;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import dev.anomaly.schemas.serde.WireFormatException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * What a failed stream thread's failure means. Two failures are not the records' fault and pass: the schema registry
 * cannot answer (the batch waits for it), or a dead letter was refused as too large after its limit was lowered (the
 * batch is read again and fits). For those the thread is replaced — its batch is read again from the last commit — after
 * a back-off that doubles with each failure in a row (1 s up to 8 s, so the transaction it leaves open is aborted in
 * time) and starts over once records flow again. Anything else shuts the detector down loudly: a stuck model call, a
 * bug, an output topic that cannot be written.
 */
final class StreamFailurePolicy implements StreamsUncaughtExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(StreamFailurePolicy.class);
    private static final long MAX_BACKOFF_MS = 8_000;

    private final HealthState health;
    private final LongSupplier progress;
    private long lastProgress = -1;
    private int failuresInARow;

    /** @param progress a count that grows while records are processed (records routed) */
    StreamFailurePolicy(HealthState health, LongSupplier progress) {
        this.health = health;
        this.progress = progress;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable e) {
        WireFormatException wire = find(e, WireFormatException.class);
        SchemaRegistryException registry = find(e, SchemaRegistryException.class);
        RecordTooLargeException tooLarge = find(e, RecordTooLargeException.class);
        String why;
        if (wire != null && wire.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
            why = "schema registry unavailable: " + wire.detail();
            health.registry(wire.detail());
        } else if (registry != null && registry.unavailable()) { // e.g. registering the Alert schema for the first alert
            why = "schema registry unavailable: " + registry.getMessage();
            health.registry(registry.getMessage());
        } else if (tooLarge != null) {
            why = "a dead letter was too large for its topic: " + tooLarge.getMessage();
        } else if (find(e, ScoringStalledException.class) != null) {
            log.error("A model call is stuck; shutting the detector down (it cannot be interrupted)", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        } else {
            log.error("Stream thread failed; shutting down the detector", e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        long now = progress.getAsLong();
        failuresInARow = now != lastProgress ? 1 : failuresInARow + 1;
        lastProgress = now;
        long backoff = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(failuresInARow - 1, 10));
        log.warn("{}; replacing the stream thread in {} ms (failure {} in a row), its batch is read again from the last commit",
                why, backoff, failuresInARow);
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
