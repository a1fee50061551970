package dev.anomaly.detector.topology;

import dev.anomaly.detector.ops.Heartbeats;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.BatchOutcome;
import dev.anomaly.detector.scoring.BatchScoring;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.PendingRecord;
import dev.anomaly.detector.scoring.Rejection;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import dev.anomaly.schemas.serde.WireFormatException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Buffers input records in memory and scores them in micro-batches. A batch is scored when it is full (in records or
 * bytes), when its oldest record has waited {@code linger} (wall clock), and before every commit of the task
 * ({@link CommitFlushStore}): the offsets of buffered records are only ever committed together with their results, so
 * the buffer needs no changelog — after a crash its records are simply read again.
 *
 * <p>The stream thread only buffers the raw records. With a scoring executor, a full batch is handed to
 * {@link BatchScoring} there (decode, extract, score, serialize alerts) while the stream thread reads on (at most four
 * batches per task wait); its results are routed on the stream thread, in batch order, as soon as they are ready: at
 * the next record, at the next tick (the linger, at most 100 ms), and at the latest before the commit, which waits for
 * them (at most the scoring timeout). A batch that the linger closes goes the same way while input is flowing; once
 * input pauses, and at a commit, the batch is scored on the stream thread, so the last records before a pause are not
 * left waiting for a tick.
 *
 * <p>Each record ends up in exactly one place: the dead-letter topic (cannot be read, extracted or scored; sent when
 * its batch is routed, cut to size if need be), or scored — as an alert when the model says so, and on the scores
 * topic when that is configured.
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);
    /** Batches of one task waiting for the scoring executor: enough to ride out a scoring thread that is briefly descheduled. */
    private static final int MAX_IN_FLIGHT = 4;
    private static final long MAX_TICK_MS = 100;

    private final String storeName;
    private final BatchSettings settings;
    private final BatchScoring scoring;
    private final DeadLetterRecords deadLetters;
    private final Serializer<DriftEvent> driftSerializer;
    private final TopologyNames names;
    private final DetectorMetrics metrics;
    private final BatchObserver observer;
    private final Heartbeats heartbeats;
    private final Clock clock;
    private final Executor executor;

    private ProcessorContext<byte[], byte[]> context;
    /** Records waiting to be scored, raw. */
    private List<PendingRecord> buffer = new ArrayList<>();
    private long bufferedBytes;
    private long oldestBufferedAt;
    private long lastArrival;
    /** Records received since the last time they were added to the shared meter (at each hand-over, flush and tick). */
    private long arrivedUncounted;
    /** Full batches being scored on the scoring executor, oldest first; routed in this order, on the stream thread. */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();

    /** A batch handed to the scoring executor, and its result to come. */
    private record InFlight(List<PendingRecord> records, CompletableFuture<BatchOutcome> result) {
    }

    /**
     * @param executor where full batches are read and scored, so that this work overlaps the stream thread reading the
     *                 next batch; {@code null} scores on the stream thread
     */
    ScoringProcessor(String storeName, BatchSettings settings, BatchScoring scoring, DeadLetterRecords deadLetters,
                     Serializer<DriftEvent> driftSerializer, TopologyNames names, DetectorMetrics metrics, BatchObserver observer,
                     Heartbeats heartbeats, Clock clock, Executor executor) {
        this.storeName = storeName;
        this.settings = settings;
        this.scoring = scoring;
        this.deadLetters = deadLetters;
        this.driftSerializer = driftSerializer;
        this.names = names;
        this.metrics = metrics;
        this.observer = observer;
        this.heartbeats = heartbeats;
        this.clock = clock;
        this.executor = executor;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        // A task can be initialised again after being closed without a commit: what it held then is read again.
        discard();
        CommitFlushStore commits = context.getStateStore(storeName);
        commits.onCommit(context, this::flush, this::discard);
        oldestBufferedAt = context.currentSystemTimeMs();
        // Ticks at the linger, but at least every 100 ms: full batches scored elsewhere are routed at a tick once input stops.
        long tick = Math.max(1, Math.min(settings.linger().toMillis(), MAX_TICK_MS));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, now -> {
            heartbeats.streamThreadTick(now);
            countArrivals();
            routeScored(false); // results of full batches when no more input comes to pick them up
            if (!buffer.isEmpty() && now - oldestBufferedAt >= settings.linger().toMillis()) {
                if (executor != null && now - lastArrival < tick) {
                    dispatch(); // input still flowing (many partitions fill batches slowly): keep scoring off this thread
                } else {
                    flush(); // input paused: score now rather than wait for the next record or tick to route it
                }
            }
        });
    }

    /** Forgets what the task holds: not committed, so read again from the last commit. */
    private void discard() {
        buffer = new ArrayList<>();
        bufferedBytes = 0;
        inFlight.clear();
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        arrivedUncounted++;
        if (!inFlight.isEmpty()) {
            routeScored(false);
        }
        var meta = context.recordMetadata().orElseThrow();
        lastArrival = context.currentSystemTimeMs();
        if (buffer.isEmpty()) {
            oldestBufferedAt = lastArrival;
        }
        Header[] raw = record.headers().toArray();
        List<PendingRecord.Header> headers = raw.length == 0 ? List.of() : new ArrayList<>(raw.length);
        for (Header h : raw) {
            headers.add(new PendingRecord.Header(h.key(), h.value()));
        }
        // Kept raw: decoding is most of the per-record work, and it runs where the batch is scored.
        buffer.add(new PendingRecord(record.key(), record.value(), headers, meta.topic(), meta.partition(), meta.offset(),
                record.timestamp()));
        bufferedBytes += (record.value() == null ? 0 : record.value().length) + (record.key() == null ? 0 : record.key().length);
        if (buffer.size() >= settings.maxRecords() || bufferedBytes >= settings.maxBytes()) {
            if (executor == null) {
                flush();
            } else {
                dispatch();
            }
        }
    }

    /** Hands the buffer to the scoring executor; at most {@link #MAX_IN_FLIGHT} batches of this task wait there. */
    private void dispatch() {
        countArrivals();
        List<PendingRecord> records = buffer;
        buffer = new ArrayList<>(settings.maxRecords());
        bufferedBytes = 0;
        CompletableFuture<BatchOutcome> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(score(records));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        inFlight.add(new InFlight(records, result));
        while (inFlight.size() > MAX_IN_FLIGHT) {
            routeHead();
        }
    }

    private BatchOutcome score(List<PendingRecord> records) {
        long token = heartbeats.scoringStarted();
        try {
            return scoring.score(records);
        } finally {
            heartbeats.scoringFinished(token);
        }
    }

    /**
     * Scores a batch on this thread, waiting in place (with back-off, at most the registry wait) while the schema registry
     * cannot give a schema its records need. Waiting keeps the thread in its group, where failing the task would cost
     * a rebalance; under exactly-once a wait beyond the transaction timeout has the transaction aborted, and the batch is
     * simply read again. Records are never dead-lettered for the registry's sake.
     */
    private BatchOutcome scoreWaitingForRegistry(List<PendingRecord> records) {
        long deadline = System.nanoTime() + settings.registryWait().toNanos();
        long backoff = 250;
        while (true) {
            try {
                BatchOutcome outcome = score(records);
                heartbeats.registryWait(null);
                return outcome;
            } catch (RuntimeException e) {
                if (!registryUnavailable(e) || System.nanoTime() + backoff * 1_000_000 > deadline) {
                    throw e;
                }
                heartbeats.registryWait(e.getMessage());
                log.warn("Schema registry unavailable; a batch of {} records waits for it ({} ms): {}", records.size(), backoff, e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private static boolean registryUnavailable(Throwable e) {
        return e instanceof WireFormatException w && w.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE
                || e instanceof org.apache.kafka.common.errors.SerializationException && e.getCause() instanceof SchemaRegistryException r
                && r.unavailable();
    }

    private void countArrivals() {
        metrics.recordsIn(arrivedUncounted);
        arrivedUncounted = 0;
    }

    /** Routes the results of scored batches in order: those already done, or (with {@code wait}) all of them. */
    private void routeScored(boolean wait) {
        while (!inFlight.isEmpty() && (wait || inFlight.peek().result().isDone())) {
            routeHead();
        }
    }

    private void routeHead() {
        BatchOutcome outcome;
        InFlight head = inFlight.peek();
        try {
            outcome = head.result().get(settings.scoringTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (registryUnavailable(e.getCause())) {
                outcome = scoreWaitingForRegistry(head.records()); // here, in order: later batches wait behind it
            } else {
                inFlight.clear(); // the task fails; its records are read again from the last commit
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        } catch (TimeoutException e) {
            inFlight.clear();
            throw new ScoringStalledException("A batch has been scoring for more than " + settings.scoringTimeout().toMillis()
                    + " ms; the model call is stuck");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inFlight.clear();
            throw new IllegalStateException("Interrupted while waiting for a scored batch", e);
        }
        inFlight.poll();
        route(outcome);
    }

    /**
     * Scores and routes everything this task holds — the batches being scored, then the buffer — before returning: at
     * each commit and when the linger has passed.
     */
    void flush() {
        countArrivals();
        routeScored(true);
        if (!buffer.isEmpty()) {
            route(scoreWaitingForRegistry(buffer));
            buffer = new ArrayList<>();
            bufferedBytes = 0;
        }
    }

    /**
     * Forwards the outcome of each record of a batch: the dead letters, then per scored record its alert and its
     * score if wanted, then the batch's drift events.
     */
    private void route(BatchOutcome outcome) {
        for (Rejection r : outcome.rejected()) {
            context.forward(deadLetters.build(r), names.deadLetterSink());
            metrics.deadLetter(r.reason());
            if (log.isDebugEnabled()) {
                PendingRecord p = r.record();
                log.debug("Dead-lettered {}-{}@{}: {}", p.topic(), p.partition(), p.offset(), r.message());
            }
        }
        List<PendingRecord> records = outcome.scored();
        ModelHolder.Scored result = outcome.result();
        int scored = result.batch().rows();
        metrics.batch(scored, outcome.scoringNanos());
        metrics.scored(scored);
        var model = result.model();
        long now = clock.millis();
        byte[] version = Integer.toString(model.version()).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < scored; i++) {
            PendingRecord p = records.get(i);
            if (i == 0 || i == scored - 1) {
                metrics.endToEnd(now - p.timestamp()); // two samples per batch keep the timer off the per-record path
            }
            if (outcome.scores() != null) {
                Headers h = new RecordHeaders().add(DeadLetters.MODEL_VERSION, version)
                        .add(DeadLetters.SOURCE_TOPIC, p.topic().getBytes(StandardCharsets.UTF_8))
                        .add(DeadLetters.SOURCE_PARTITION, Integer.toString(p.partition()).getBytes(StandardCharsets.UTF_8))
                        .add(DeadLetters.SOURCE_OFFSET, Long.toString(p.offset()).getBytes(StandardCharsets.UTF_8));
                context.forward(new Record<>(p.key(), outcome.scores()[i], p.timestamp(), h), names.scoresSink());
            }
            if (outcome.alerts()[i] != null) {
                Record<byte[], byte[]> alert = new Record<>(p.key(), outcome.alerts()[i], p.timestamp());
                context.forward(alert, names.alertSink());
                if (names.episodesTopic() != null) {
                    context.forward(alert, TopologyNames.EPISODES);
                }
                metrics.alert();
            }
        }
        if (observer != BatchObserver.NONE && scored > 0) {
            long[] timestamps = new long[scored];
            for (int i = 0; i < scored; i++) {
                timestamps[i] = records.get(i).timestamp();
            }
            for (DriftEvent event : observer.observe(model, result.features(), result.batch(), timestamps)) {
                context.forward(new Record<>(event.getModelId().getBytes(StandardCharsets.UTF_8),
                        driftSerializer.serialize(names.driftTopic(), event), now), names.driftSink());
                metrics.driftEvent();
            }
        }
    }
}
