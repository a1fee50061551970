package dev.anomaly.detector.topology;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.util.Map;

/**
 * Makes the scoring processor's in-memory batch part of every commit. It stores nothing: Kafka Streams flushes the
 * caches of a task's stores ({@link CachedStateStore#flushCache()}) before it flushes the producer and commits the
 * input offsets — on the commit interval, on rebalance and on clean shutdown, under both at-least-once and
 * exactly-once — and this store's "cache" is the processor's pending batch. So at every commit the batch is scored
 * and its alerts, scores and dead letters are sent in the same commit (the same transaction under exactly-once) as
 * the offsets of its input records. A record whose offset is committed has therefore always been routed, and one
 * that is not is read again after a crash: no changelog, no per-record state write.
 *
 * <p>This leans on two Kafka Streams internals (the {@code CachedStateStore} hook, which Kafka Streams' own record
 * caches rely on, and setting the processor node while forwarding from it, as cache flush listeners do). The
 * version is pinned in the build; {@code DetectorTopologyTest} and the crash test on the real broker fail if
 * either stops holding.
 */
final class CommitFlushStore implements StateStore, CachedStateStore<Object, Object> {
    private final String name;
    private boolean open;
    private Runnable beforeCommit = () -> { };
    private Runnable discard = () -> { };

    CommitFlushStore(String name) {
        this.name = name;
    }

    /**
     * Runs {@code flush} before each commit of this store's task, as the node of {@code context} (so that it may
     * forward), and {@code discard} when the task is closed without committing.
     */
    void onCommit(ProcessorContext<?, ?> context, Runnable flush, Runnable discard) {
        if (!(context instanceof InternalProcessorContext<?, ?> internal)) {
            throw new IllegalStateException("Unsupported Kafka Streams version: processor context is " + context.getClass().getName());
        }
        ProcessorNode<?, ?, ?, ?> node = internal.currentNode();
        this.beforeCommit = () -> {
            ProcessorNode<?, ?, ?, ?> previousNode = internal.currentNode();
            ProcessorRecordContext previousRecord = internal.recordContext();
            // Same record context as a wall-clock punctuation: no source record.
            internal.setRecordContext(new ProcessorRecordContext(internal.currentSystemTimeMs(), -1L, -1, null, new RecordHeaders()));
            internal.setCurrentNode(node);
            try {
                flush.run();
            } finally {
                internal.setCurrentNode(previousNode);
                internal.setRecordContext(previousRecord);
            }
        };
        this.discard = discard;
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
    }

    @Override
    public void clearCache() {
        discard.run();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> { }); // not logged: nothing to restore
        open = true;
    }

    @Override
    public void flush() {
        // after the commit: the batch was already scored in flushCache()
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds one store per task; never logged or cached by Kafka Streams (it holds no data). */
    static StoreBuilder<CommitFlushStore> builder(String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<CommitFlushStore> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitFlushStore> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<CommitFlushStore> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("the commit flush store holds no data to log");
            }

            @Override
            public StoreBuilder<CommitFlushStore> withLoggingDisabled() {
                return this;
            }

            @Override
            public CommitFlushStore build() {
                return new CommitFlushStore(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
