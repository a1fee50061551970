package dev.anomaly.detector.topology;

import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.AlertFactory;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.PendingRecord;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.features.FeatureExtractionException;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.schemas.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
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
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Buffers input records in memory and scores them in micro-batches. A batch is scored when it is full, when its
 * oldest record has waited {@code linger} (wall clock), and before every commit of the task ({@link CommitFlushStore}):
 * the offsets of buffered records are only ever committed together with their results, so the buffer needs no
 * changelog — after a crash its records are simply read again.
 *
 * <p>With a scoring executor, a full batch is scored there while the stream thread decodes the next one (at most four
 * batches per task wait), and its results are routed on the stream thread, in batch order, as soon as they are
 * ready: at the next record, at the next linger tick, and at the latest before the commit, which waits for them. A
 * batch that the linger closes goes the same way while input is flowing; once input pauses, and at a commit, the
 * batch is scored on the stream thread, so the last records before a pause are not left waiting for a tick.
 *
 * <p>Each record is decoded and its features extracted when it arrives, for the serving model's feature spec; the
 * batch keeps only the feature rows and the raw record. If a model with a different spec is swapped in before the
 * batch is scored, the batch is extracted again for that model, so rows always match the model that scores them.
 *
 * <p>Each record ends up in exactly one place: the dead-letter topic (cannot be read or extracted, sent when that is
 * found out), or scored — as an alert when its score exceeds the model threshold, and on the scores topic when that
 * is configured.
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);
    /** Batches of one task waiting for the scoring executor: enough to ride out a scoring thread that is briefly descheduled. */
    private static final int MAX_IN_FLIGHT = 4;

    private final String storeName;
    private final int batchSize;
    private final Duration linger;
    private final ModelHolder models;
    private final Deserializer<GenericRecord> deserializer;
    private final Serializer<Alert> alertSerializer;
    private final Serializer<DriftEvent> driftSerializer;
    private final TopologyNames names;
    private final int topFeatures;
    private final DetectorMetrics metrics;
    private final BatchObserver observer;
    private final Clock clock;
    private final Executor scoring;

    private ProcessorContext<byte[], byte[]> context;
    /** Records waiting to be scored, with their feature rows (row i belongs to record i) for {@code rowsSpec}. */
    private List<PendingRecord> buffer = new ArrayList<>();
    private float[] rows = new float[0];
    private FeatureSpec rowsSpec;
    private int rowWidth; // rowsSpec.width(), which sums over the features: kept off the per-record path
    private long oldestBufferedAt;
    private long lastArrival;
    /** Full batches being scored on the scoring executor, oldest first; routed in this order, on the stream thread. */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();

    /** A batch handed to the scoring executor. {@code result} is null if a model with another spec was swapped in. */
    private record InFlight(List<PendingRecord> records, float[] rows, FeatureSpec spec, CompletableFuture<Outcome> result) {
    }

    /**
     * A scored batch with its output values ready to forward: per record, the serialized alert (null below the
     * threshold) and the score text (null without a scores topic). Prepared where the batch is scored.
     */
    private record Outcome(ModelHolder.Scored scored, byte[][] alerts, byte[][] scores) {
    }

    /**
     * @param scoring where full batches are scored, so that scoring one batch overlaps decoding the next on the stream
     *                thread; {@code null} scores on the stream thread
     */
    ScoringProcessor(String storeName, int batchSize, Duration linger, ModelHolder models, Deserializer<GenericRecord> deserializer,
                     Serializer<Alert> alertSerializer, Serializer<DriftEvent> driftSerializer, TopologyNames names,
                     int topFeatures, DetectorMetrics metrics, BatchObserver observer, Clock clock, Executor scoring) {
        this.storeName = storeName;
        this.batchSize = batchSize;
        this.linger = linger;
        this.models = models;
        this.deserializer = deserializer;
        this.alertSerializer = alertSerializer;
        this.driftSerializer = driftSerializer;
        this.names = names;
        this.topFeatures = topFeatures;
        this.metrics = metrics;
        this.observer = observer;
        this.clock = clock;
        this.scoring = scoring;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        CommitFlushStore commits = context.getStateStore(storeName);
        commits.onCommit(context, this::flush, () -> {
            buffer.clear();
            inFlight.clear(); // not committed: these records are read again
        });
        oldestBufferedAt = context.currentSystemTimeMs();
        long tick = Math.max(1, linger.toMillis());
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, now -> {
            routeScored(false); // results of full batches when no more input comes to pick them up
            if (!buffer.isEmpty() && now - oldestBufferedAt >= linger.toMillis()) {
                if (scoring != null && now - lastArrival < tick) {
                    dispatch(); // input still flowing (many partitions fill batches slowly): keep scoring off this thread
                } else {
                    flush(); // input paused: score now rather than wait for the next record or tick to route it
                }
            }
        });
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn();
        if (!inFlight.isEmpty()) {
            routeScored(false);
        }
        var meta = context.recordMetadata().orElseThrow();
        ModelMetadata model = models.serving();
        FeatureSpec spec = model.featureSpec();
        if (!buffer.isEmpty() && !spec.equals(rowsSpec)) { // cheap: the same instance unless a model was swapped in
            flush(); // a swapped-in model reads other features: finish the batch extracted for the old spec first
        }
        if (buffer.isEmpty() && spec != rowsSpec) {
            rowsSpec = spec;
            rowWidth = spec.width();
            rows = new float[batchSize * rowWidth];
        }
        lastArrival = context.currentSystemTimeMs();
        if (buffer.isEmpty()) {
            oldestBufferedAt = lastArrival;
        }
        Header[] raw = record.headers().toArray();
        List<PendingRecord.Header> headers = raw.length == 0 ? List.of() : new ArrayList<>(raw.length);
        for (Header h : raw) {
            headers.add(new PendingRecord.Header(h.key(), h.value()));
        }
        PendingRecord pending = new PendingRecord(record.key(), record.value(), headers, meta.topic(), meta.partition(),
                meta.offset(), record.timestamp());
        // Decoded and extracted now, while the record's bytes are in the CPU cache; only the feature row waits.
        if (extractInto(pending, rowsSpec, model.version(), rows, buffer.size() * rowWidth)) {
            buffer.add(pending);
            if (buffer.size() >= batchSize) {
                if (scoring == null) {
                    flush();
                } else {
                    dispatch();
                }
            }
        }
    }

    /** Hands the buffer to the scoring executor; at most {@link #MAX_IN_FLIGHT} batches of this task wait there. */
    private void dispatch() {
        InFlight batch = new InFlight(buffer, rows, rowsSpec, new CompletableFuture<>());
        buffer = new ArrayList<>(batchSize);
        rows = new float[batchSize * rowWidth];
        scoring.execute(() -> {
            try {
                long start = System.nanoTime();
                ModelHolder.Scored result = models.scoreRows(batch.spec(), batch.rows(), batch.records().size());
                if (result != null) {
                    metrics.batch(result.batch().rows(), System.nanoTime() - start);
                }
                batch.result().complete(result == null ? null : prepare(batch.records(), result));
            } catch (Throwable e) {
                batch.result().completeExceptionally(e);
            }
        });
        inFlight.add(batch);
        while (inFlight.size() > MAX_IN_FLIGHT) {
            routeHead();
        }
    }

    /** Routes the results of scored batches in order: those already done, or (with {@code wait}) all of them. */
    private void routeScored(boolean wait) {
        while (!inFlight.isEmpty() && (wait || inFlight.peek().result().isDone())) {
            routeHead();
        }
    }

    private void routeHead() {
        InFlight batch = inFlight.peek();
        Outcome result;
        try {
            result = batch.result().join();
        } catch (CompletionException e) {
            inFlight.clear(); // the task fails; its records are read again from the last commit
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        inFlight.poll();
        if (result == null) {
            scoreAndRoute(batch.records(), batch.rows(), batch.spec()); // another spec was swapped in: extract again
        } else {
            route(batch.records(), result);
        }
    }

    /**
     * Scores and routes everything this task holds — the batches being scored, then the buffer — before returning: at
     * each commit, when the linger has passed, and before the buffer changes spec.
     */
    void flush() {
        routeScored(true);
        if (!buffer.isEmpty()) {
            scoreAndRoute(buffer, rows, rowsSpec);
            buffer.clear();
        }
    }

    /** Scores {@code records} on this thread (extracting them again if the serving model reads other features) and routes them. */
    private void scoreAndRoute(List<PendingRecord> records, float[] extracted, FeatureSpec spec) {
        long start = System.nanoTime();
        ModelHolder.Scored result = models.score(model -> model.featureSpec().equals(spec)
                ? new ModelHolder.Extracted(extracted, records.size())
                : extractAgain(records, model));
        metrics.batch(result.batch().rows(), System.nanoTime() - start);
        route(records, prepare(records, result));
    }

    /** Builds and serializes the alerts and score texts of a scored batch (thread-safe: runs on the scoring threads). */
    private Outcome prepare(List<PendingRecord> records, ModelHolder.Scored result) {
        int n = result.batch().rows();
        var model = result.model();
        byte[][] alerts = new byte[n][];
        byte[][] scores = names.scoresTopic() == null ? null : new byte[n][];
        Instant now = Instant.ofEpochMilli(clock.millis());
        for (int i = 0; i < n; i++) {
            float score = result.batch().score()[i];
            if (score > model.threshold()) {
                Alert alert = AlertFactory.alert(records.get(i), result.features(), result.batch(), i, model, topFeatures, now);
                alerts[i] = alertSerializer.serialize(names.alertTopic(), alert);
            }
            if (scores != null) {
                scores[i] = Float.toString(score).getBytes(StandardCharsets.UTF_8);
            }
        }
        return new Outcome(result, alerts, scores);
    }

    /** Forwards the outcome of each scored record: its alert, its score if wanted, then the batch's drift events. */
    private void route(List<PendingRecord> records, Outcome outcome) {
        ModelHolder.Scored result = outcome.scored();
        int scored = result.batch().rows();
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
                Headers h = new RecordHeaders().add(DeadLetters.MODEL_VERSION, version);
                context.forward(new Record<>(p.key(), outcome.scores()[i], p.timestamp(), h), names.scoresSink());
            }
            if (outcome.alerts()[i] != null) {
                context.forward(new Record<>(p.key(), outcome.alerts()[i], p.timestamp()), names.alertSink());
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

    /**
     * The serving model reads other features than {@code records} were extracted for (it was swapped in while they
     * waited): extracts them again for it, dead-lettering those it cannot read and dropping them from the list.
     */
    private ModelHolder.Extracted extractAgain(List<PendingRecord> records, ModelMetadata model) {
        FeatureSpec spec = model.featureSpec();
        float[] again = new float[records.size() * spec.width()];
        int good = 0;
        for (PendingRecord p : records) {
            if (extractInto(p, spec, model.version(), again, good * spec.width())) {
                records.set(good++, p);
            }
        }
        records.subList(good, records.size()).clear();
        return new ModelHolder.Extracted(again, good);
    }

    /** Decodes {@code p} and writes its feature row at {@code offset}; if it cannot, dead-letters it and says false. */
    private boolean extractInto(PendingRecord p, FeatureSpec spec, int modelVersion, float[] out, int offset) {
        String reason;
        String message;
        try {
            if (p.value() == null) {
                reason = "TOMBSTONE";
                message = "record has no value";
            } else {
                spec.extractInto(deserializer.deserialize(p.topic(), p.value()), out, offset);
                return true;
            }
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e; // not the record's fault: fail the task, retry from the last commit
            }
            reason = e.reason().name();
            message = e.getMessage();
        } catch (FeatureExtractionException e) {
            reason = e.reason().name();
            message = e.getMessage();
        } catch (RuntimeException e) {
            reason = "UNREADABLE";
            message = e.toString();
        }
        deadLetter(p, reason, message, modelVersion);
        return false;
    }

    private void deadLetter(PendingRecord p, String reason, String message, int modelVersion) {
        Headers headers = new RecordHeaders();
        p.headers().forEach(h -> headers.add(h.key(), h.value()));
        headers.add(DeadLetters.REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.MESSAGE, message.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.SOURCE_TOPIC, p.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.SOURCE_PARTITION, Integer.toString(p.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.SOURCE_OFFSET, Long.toString(p.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.TIME, Long.toString(clock.millis()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.MODEL_VERSION, Integer.toString(modelVersion).getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(p.key(), p.value(), p.timestamp(), headers), names.deadLetterSink());
        metrics.deadLetter(reason);
        log.debug("Dead-lettered {}-{}@{}: {}", p.topic(), p.partition(), p.offset(), message);
    }
}
