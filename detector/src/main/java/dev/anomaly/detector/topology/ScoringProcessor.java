package dev.anomaly.detector.topology;

import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.AlertFactory;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.PendingRecord;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.features.FeatureExtractionException;
import dev.anomaly.schemas.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
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
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers input records in memory and scores them in micro-batches. A batch is scored when it is full, when its
 * oldest record has waited {@code linger} (wall clock), and before every commit of the task ({@link CommitFlushStore}):
 * the offsets of buffered records are only ever committed together with their results, so the buffer needs no
 * changelog — after a crash its records are simply read again.
 *
 * <p>Each record ends up in exactly one place: the dead-letter topic (cannot be read or extracted), or scored — as an
 * alert when its score exceeds the model threshold, and on the scores topic when that is configured.
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

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

    private ProcessorContext<byte[], byte[]> context;
    private final List<PendingRecord> buffer = new ArrayList<>();
    private long oldestBufferedAt;

    ScoringProcessor(String storeName, int batchSize, Duration linger, ModelHolder models, Deserializer<GenericRecord> deserializer,
                     Serializer<Alert> alertSerializer, Serializer<DriftEvent> driftSerializer, TopologyNames names,
                     int topFeatures, DetectorMetrics metrics, BatchObserver observer, Clock clock) {
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
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        CommitFlushStore commits = context.getStateStore(storeName);
        commits.onCommit(context, this::flush, buffer::clear);
        oldestBufferedAt = context.currentSystemTimeMs();
        long tick = Math.max(1, linger.toMillis());
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (!buffer.isEmpty() && now - oldestBufferedAt >= linger.toMillis()) {
                flush();
            }
        });
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn();
        var meta = context.recordMetadata().orElseThrow();
        List<PendingRecord.Header> headers = new ArrayList<>(0);
        record.headers().forEach(h -> headers.add(new PendingRecord.Header(h.key(), h.value())));
        PendingRecord pending = new PendingRecord(record.key(), record.value(), headers, meta.topic(), meta.partition(),
                meta.offset(), record.timestamp());
        if (buffer.isEmpty()) {
            oldestBufferedAt = context.currentSystemTimeMs();
        }
        buffer.add(pending);
        if (buffer.size() >= batchSize) {
            flush();
        }
    }

    /** Scores the buffer; every buffered record is routed before the buffer is emptied. */
    void flush() {
        if (buffer.isEmpty()) {
            return;
        }
        int n = buffer.size();
        PendingRecord[] scoredRecords = new PendingRecord[n];
        long start = System.nanoTime();
        ModelHolder.Scored result = models.score(model -> {
            int w = model.featureSpec().width();
            float[] rows = new float[n * w];
            int good = 0;
            for (PendingRecord p : buffer) {
                String reason;
                String message;
                try {
                    if (p.value() == null) {
                        reason = "TOMBSTONE";
                        message = "record has no value";
                    } else {
                        GenericRecord value = deserializer.deserialize(p.topic(), p.value());
                        model.featureSpec().extractInto(value, rows, good * w);
                        scoredRecords[good++] = p;
                        continue;
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
                deadLetter(p, reason, message, model.version());
            }
            return new ModelHolder.Extracted(rows, good);
        });
        int scored = result.batch().rows();
        metrics.batch(scored, System.nanoTime() - start);
        metrics.scored(scored);
        var model = result.model();
        float[] features = result.features();
        long now = clock.millis();
        long[] timestamps = new long[scored];
        for (int i = 0; i < scored; i++) {
            PendingRecord p = scoredRecords[i];
            timestamps[i] = p.timestamp();
            float score = result.batch().score()[i];
            if (i == 0 || i == scored - 1) {
                metrics.endToEnd(now - p.timestamp()); // two samples per batch keep the timer off the per-record path
            }
            if (names.scoresTopic() != null) {
                Headers h = new RecordHeaders().add(DeadLetters.MODEL_VERSION, Integer.toString(model.version()).getBytes(StandardCharsets.UTF_8));
                context.forward(new Record<>(p.key(), Float.toString(score).getBytes(StandardCharsets.UTF_8), p.timestamp(), h), names.scoresSink());
            }
            if (score > model.threshold()) {
                Alert alert = AlertFactory.alert(p, features, result.batch(), i, model, topFeatures, Instant.ofEpochMilli(now));
                context.forward(new Record<>(p.key(), alertSerializer.serialize(names.alertTopic(), alert), p.timestamp()), names.alertSink());
                metrics.alert();
            }
        }
        if (observer != BatchObserver.NONE && scored > 0) {
            for (DriftEvent event : observer.observe(model, features, result.batch(), timestamps)) {
                context.forward(new Record<>(event.getModelId().getBytes(StandardCharsets.UTF_8),
                        driftSerializer.serialize(names.driftTopic(), event), now), names.driftSink());
                metrics.driftEvent();
            }
        }
        buffer.clear();
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

    int buffered() {
        return buffer.size();
    }

}
