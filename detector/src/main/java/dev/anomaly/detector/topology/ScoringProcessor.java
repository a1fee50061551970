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
 * <p>The stream thread only buffers the raw records. With a scoring executor, a full batch is decoded, its features
 * extracted, scored and its alerts serialized there while the stream thread reads on (at most four batches per task
 * wait); its results are routed on the stream thread, in batch order, as soon as they are ready: at the next record,
 * at the next tick (the linger, at most 100 ms), and at the latest before the commit, which waits for them. A batch
 * that the linger closes goes the same way while input is flowing; once input pauses, and at a commit, the batch is
 * scored on the stream thread, so the last records before a pause are not left waiting for a tick.
 *
 * <p>A batch is read for the features of the model serving when it is scored. If a model with a different spec is
 * swapped in between reading and scoring, the batch is read again for that model, so rows always match the model
 * that scores them.
 *
 * <p>Each record ends up in exactly one place: the dead-letter topic (cannot be read or extracted, sent when its batch
 * is routed), or scored — as an alert when its score exceeds the model threshold, and on the scores topic when that
 * is configured.
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);
    /** Batches of one task waiting for the scoring executor: enough to ride out a scoring thread that is briefly descheduled. */
    private static final int MAX_IN_FLIGHT = 4;
    private static final long MAX_TICK_MS = 100;

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
    /** Records waiting to be scored, raw. */
    private List<PendingRecord> buffer = new ArrayList<>();
    private long oldestBufferedAt;
    private long lastArrival;
    /** Records received since the last time they were added to the shared meter (at each hand-over, flush and tick). */
    private long arrivedUncounted;
    /** Results of full batches being scored on the scoring executor, oldest first; routed in this order, on the stream thread. */
    private final Deque<CompletableFuture<Outcome>> inFlight = new ArrayDeque<>();

    /** The records of a batch read for one model: those it can score with their feature rows (row i: record i), and the rest. */
    private record Extraction(List<PendingRecord> records, float[] rows, List<Rejected> rejected) {
    }

    /** A record that cannot be scored, and why. */
    private record Rejected(PendingRecord record, String reason, String message, int modelVersion) {
    }

    /**
     * A scored batch with its output values ready to forward: per scored record, the serialized alert (null below the
     * threshold) and the score text (null without a scores topic). Prepared where the batch is scored.
     */
    private record Outcome(Extraction extraction, ModelHolder.Scored scored, byte[][] alerts, byte[][] scores) {
    }

    /**
     * @param deserializer decodes input values; with a scoring executor it is called from the scoring threads too,
     *                     so it must be thread-safe (as serdes shared by several stream threads already are)
     * @param scoring      where full batches are read and scored, so that this work overlaps the stream thread
     *                     reading the next batch; {@code null} scores on the stream thread
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
        // Ticks at the linger, but at least every 100 ms: full batches scored elsewhere are routed at a tick once input stops.
        long tick = Math.max(1, Math.min(linger.toMillis(), MAX_TICK_MS));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, now -> {
            countArrivals();
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
        if (buffer.size() >= batchSize) {
            if (scoring == null) {
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
        buffer = new ArrayList<>(batchSize);
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        scoring.execute(() -> {
            try {
                result.complete(score(records));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        inFlight.add(result);
        while (inFlight.size() > MAX_IN_FLIGHT) {
            routeHead();
        }
    }

    private void countArrivals() {
        metrics.recordsIn(arrivedUncounted);
        arrivedUncounted = 0;
    }

    /** Routes the results of scored batches in order: those already done, or (with {@code wait}) all of them. */
    private void routeScored(boolean wait) {
        while (!inFlight.isEmpty() && (wait || inFlight.peek().isDone())) {
            routeHead();
        }
    }

    private void routeHead() {
        Outcome outcome;
        try {
            outcome = inFlight.peek().join();
        } catch (CompletionException e) {
            inFlight.clear(); // the task fails; its records are read again from the last commit
            throw e.getCause() instanceof RuntimeException r ? r : e;
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
            route(score(buffer));
            buffer.clear();
        }
    }

    /**
     * Reads {@code records} for the serving model and scores them, then builds and serializes their alerts and score
     * texts. Thread-safe: runs on the scoring threads, or on the stream thread.
     */
    private Outcome score(List<PendingRecord> records) {
        ModelMetadata serving = models.serving();
        Extraction read = extract(records, serving);
        long start = System.nanoTime();
        ModelHolder.Scored result = models.scoreRows(serving.featureSpec(), read.rows(), read.records().size());
        if (result == null) { // a model reading other features was swapped in meanwhile: read the batch again for it
            Extraction[] again = new Extraction[1];
            result = models.score(model -> {
                again[0] = extract(records, model);
                return new ModelHolder.Extracted(again[0].rows(), again[0].records().size());
            });
            read = again[0];
        }
        metrics.batch(result.batch().rows(), System.nanoTime() - start);
        return prepare(read, result);
    }

    /** Builds and serializes the alerts and score texts of a scored batch. */
    private Outcome prepare(Extraction read, ModelHolder.Scored result) {
        List<PendingRecord> records = read.records();
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
        return new Outcome(read, result, alerts, scores);
    }

    /**
     * Forwards the outcome of each record of a batch: the dead letters, then per scored record its alert and its
     * score if wanted, then the batch's drift events.
     */
    private void route(Outcome outcome) {
        for (Rejected r : outcome.extraction().rejected()) {
            deadLetter(r);
        }
        List<PendingRecord> records = outcome.extraction().records();
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

    /** Decodes {@code records} and extracts the features {@code model} reads; those that cannot be read are set aside. */
    private Extraction extract(List<PendingRecord> records, ModelMetadata model) {
        FeatureSpec spec = model.featureSpec();
        int width = spec.width();
        float[] rows = new float[records.size() * width];
        List<PendingRecord> good = null; // the records themselves while none is rejected
        List<Rejected> rejected = List.of();
        int n = 0;
        for (int i = 0; i < records.size(); i++) {
            PendingRecord p = records.get(i);
            Rejected r = extractInto(p, spec, model.version(), rows, n * width);
            if (r == null) {
                n++;
                if (good != null) {
                    good.add(p);
                }
            } else {
                if (good == null) {
                    good = new ArrayList<>(records.subList(0, i));
                    rejected = new ArrayList<>();
                }
                rejected.add(r);
            }
        }
        return new Extraction(good == null ? records : good, rows, rejected);
    }

    /** Decodes {@code p} and writes its feature row at {@code offset}; says why not if it cannot (null if it could). */
    private Rejected extractInto(PendingRecord p, FeatureSpec spec, int modelVersion, float[] out, int offset) {
        try {
            if (p.value() == null) {
                return new Rejected(p, "TOMBSTONE", "record has no value", modelVersion);
            }
            spec.extractInto(deserializer.deserialize(p.topic(), p.value()), out, offset);
            return null;
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e; // not the record's fault: fail the task, retry from the last commit
            }
            return new Rejected(p, e.reason().name(), e.getMessage(), modelVersion);
        } catch (FeatureExtractionException e) {
            return new Rejected(p, e.reason().name(), e.getMessage(), modelVersion);
        } catch (RuntimeException e) {
            return new Rejected(p, "UNREADABLE", e.toString(), modelVersion);
        }
    }

    private void deadLetter(Rejected r) {
        PendingRecord p = r.record();
        Headers headers = new RecordHeaders();
        p.headers().forEach(h -> headers.add(h.key(), h.value()));
        headers.add(DeadLetters.REASON, r.reason().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.MESSAGE, r.message().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.SOURCE_TOPIC, p.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.SOURCE_PARTITION, Integer.toString(p.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.SOURCE_OFFSET, Long.toString(p.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.TIME, Long.toString(clock.millis()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetters.MODEL_VERSION, Integer.toString(r.modelVersion()).getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(p.key(), p.value(), p.timestamp(), headers), names.deadLetterSink());
        metrics.deadLetter(r.reason());
        log.debug("Dead-lettered {}-{}@{}: {}", p.topic(), p.partition(), p.offset(), r.message());
    }
}
