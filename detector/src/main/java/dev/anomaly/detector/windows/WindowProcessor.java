package dev.anomaly.detector.windows;

import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.WindowHeaders;
import dev.anomaly.schemas.features.FeatureExtractionException;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.WindowSpec;
import dev.anomaly.schemas.serde.WireFormatException;
import dev.anomaly.scoring.ModelMetadata;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The window stage, before scoring. While the serving model reads records one by one it only strips window headers a
 * producer may have set and passes records on. While it reads windows ({@link FeatureSpec#window}), each record joins
 * its key's window in a changelogged store (a restart or a moved partition resumes with the windows, and under
 * exactly-once the store moves with the committed offsets):
 * <ul>
 *   <li>a key is scored once it has W records, then every S records: the record that completes a window is passed on
 *       carrying it ({@link WindowHeaders}); the others are held (counted, nothing to route);</li>
 *   <li>a record whose event time is before its key's latest is late: it goes to the dead-letter topic as
 *       {@code LATE_RECORD}, and the window is unchanged (a window is a run of records in event-time order); equal times
 *       keep arrival order;</li>
 *   <li>a record more than {@code detector.windows.max.gap.ms} after its key's latest starts the window afresh;</li>
 *   <li>a record without the key or time field, or whose features cannot be extracted, goes to the dead-letter topic
 *       with the reason, the window unchanged;</li>
 *   <li>a key quiet for {@code detector.windows.idle.expiry.ms} of stream time is forgotten;</li>
 *   <li>a window written for another model's spec starts afresh;</li>
 *   <li>a key longer than {@code detector.windows.max.key.bytes}, or a new key once the task keeps
 *       {@code detector.windows.max.keys}, is dead-lettered ({@code WINDOW_KEY_TOO_LONG}, {@code WINDOW_KEYS_FULL}):
 *       a producer cannot fill the disk with made-up keys.</li>
 * </ul>
 */
public final class WindowProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final String PREFIX = "anomaly.window.";

    private final String storeName;
    private final ModelHolder models;
    private final Deserializer<GenericRecord> deserializer;
    private final WindowSettings settings;
    private final DetectorMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private FeatureSpec lastSpec;
    /** Keys in the store: counted once when the task starts (RocksDB's own count is an estimate), then kept. */
    private long keys;
    private int lastSpecHash;

    public WindowProcessor(String storeName, ModelHolder models, Deserializer<GenericRecord> deserializer, WindowSettings settings,
                           DetectorMetrics metrics) {
        this.storeName = storeName;
        this.models = models;
        this.deserializer = deserializer;
        this.settings = settings;
        this.metrics = metrics;
    }

    /** The window store: key → {@link KeyWindow}, changelogged. */
    public static StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
        // Cached: a key's window is written to the changelog once per commit, not once per record.
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray()).withCachingEnabled();
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        long every = Math.max(1_000, Math.min(60_000, settings.idleExpiry().toMillis() / 4));
        context.schedule(Duration.ofMillis(every), PunctuationType.STREAM_TIME, this::expireIdle);
        context.schedule(Duration.ofSeconds(10), PunctuationType.WALL_CLOCK_TIME, now -> measure());
        keys = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                all.next();
                keys++;
            }
        }
        measure();
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Record<byte[], byte[]> clean = withoutWindowHeaders(record);
        ModelMetadata serving = models.metadata().orElse(null);
        if (serving == null || serving.featureSpec().window() == null || clean.value() == null) {
            context.forward(clean);
            return;
        }
        FeatureSpec spec = serving.featureSpec();
        WindowSpec window = spec.window();
        FeatureSpec rowSpec = spec.rowSpec();
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        GenericRecord value;
        try {
            value = deserializer.deserialize(topic, clean.value());
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e; // not the record's fault: fail the task, retry from the last commit
            }
            reject(clean, e.reason().name(), e.getMessage());
            return;
        } catch (RuntimeException | StackOverflowError e) {
            reject(clean, "UNREADABLE", e.toString());
            return;
        }
        String k = window.keyOf(value);
        Long at = window.timeOf(value);
        if (k == null) {
            reject(clean, "NO_WINDOW_KEY", "the window key " + window.key() + " is missing or null");
            return;
        }
        if (at == null) {
            reject(clean, "NO_EVENT_TIME", "the event time " + window.time() + " is missing or not an int/long (epoch ms): "
                    + WindowSpec.valueAt(value, window.time()));
            return;
        }
        float[] row = new float[rowSpec.rowWidth()];
        try {
            rowSpec.extractInto(value, row, 0);
        } catch (FeatureExtractionException e) {
            reject(clean, e.reason().name(), e.getMessage());
            return;
        }
        int keyBytes = k.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (keyBytes > settings.maxKeyBytes()) {
            reject(clean, "WINDOW_KEY_TOO_LONG", "the window key has " + keyBytes + " bytes, more than "
                    + WindowSettings.MAX_KEY_BYTES + "=" + settings.maxKeyBytes());
            return;
        }
        int hash = specHash(spec);
        byte[] stored = store.get(k);
        if (stored == null && keys >= settings.maxKeys()) {
            reject(clean, "WINDOW_KEYS_FULL", "this task keeps windows for " + keys + " keys, "
                    + WindowSettings.MAX_KEYS + "=" + settings.maxKeys() + "; a new key waits for one to expire");
            return;
        }
        if (stored == null) {
            keys++;
            measure(); // a new key: the gauges follow at once (a map update per new key, not per record)
        }
        KeyWindow w = KeyWindow.fromBytes(stored, window.size(), row.length);
        if (w == null || w.specHash() != hash) {
            w = new KeyWindow(hash, window.size(), row.length);
        }
        if (w.count() > 0) {
            long latest = w.latestTime();
            if (at < latest) {
                reject(clean, "LATE_RECORD", "event time " + at + " is before key " + k + "'s latest " + latest
                        + ": a window is a run of records in event-time order");
                return;
            }
            if (!settings.maxGap().isZero() && at - latest > settings.maxGap().toMillis()) {
                w = new KeyWindow(hash, window.size(), row.length);
                metrics.windowReset();
            }
        }
        w.add(at, row, clean.timestamp());
        store.put(k, w.toBytes());
        if (w.full() && (w.count() - window.size()) % window.stride() == 0) {
            Headers headers = clean.headers();
            headers.add(WindowHeaders.ROW, WindowHeaders.rows(w.flattened()));
            headers.add(WindowHeaders.KEY, WindowHeaders.text(k));
            headers.add(WindowHeaders.START, WindowHeaders.time(w.oldestTime()));
            context.forward(clean.withHeaders(headers));
        } else {
            metrics.windowHeld();
        }
    }

    private void reject(Record<byte[], byte[]> record, String reason, String message) {
        Headers headers = record.headers();
        headers.add(WindowHeaders.REJECT, WindowHeaders.text(reason + ": " + message));
        context.forward(record.withHeaders(headers));
    }

    /** Window headers are the stage's alone: ones a producer set are dropped, so none can pass for a window. */
    private static Record<byte[], byte[]> withoutWindowHeaders(Record<byte[], byte[]> record) {
        Header[] all = record.headers().toArray();
        boolean any = false;
        for (Header h : all) {
            any |= h.key().startsWith(PREFIX);
        }
        if (!any) {
            return record; // the usual case: nothing to copy
        }
        List<Header> kept = new ArrayList<>(all.length);
        for (Header h : all) {
            if (!h.key().startsWith(PREFIX)) {
                kept.add(h);
            }
        }
        return record.withHeaders(new RecordHeaders(kept));
    }

    private int specHash(FeatureSpec spec) {
        if (spec != lastSpec) {
            lastSpec = spec;
            lastSpecHash = spec.toJson().hashCode();
        }
        return lastSpecHash;
    }

    private void expireIdle(long streamTime) {
        ModelMetadata serving = models.metadata().orElse(null);
        long cutoff = streamTime - settings.idleExpiry().toMillis();
        List<String> idle = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> e = all.next();
                if (lastTouched(e.value, serving) < cutoff) {
                    idle.add(e.key);
                }
            }
        }
        idle.forEach(store::delete);
        keys -= idle.size();
        measure();
    }

    /**
     * When a stored window last took a record (its Kafka timestamp, the clock stream time runs on: event times may be
     * on another), or the oldest possible when it is not this model's (expired first).
     */
    private static long lastTouched(byte[] bytes, ModelMetadata serving) {
        if (serving == null || serving.featureSpec().window() == null) {
            return Long.MIN_VALUE;
        }
        KeyWindow w = KeyWindow.fromBytes(bytes, serving.featureSpec().window().size(), serving.featureSpec().rowWidth());
        return w == null || w.count() == 0 ? Long.MIN_VALUE : w.touched();
    }

    private void measure() {
        ModelMetadata serving = models.metadata().orElse(null);
        long perKey = serving == null || serving.featureSpec().window() == null ? 0
                : KeyWindow.bytes(serving.featureSpec().window().size(), serving.featureSpec().rowWidth());
        metrics.windowStore(context.taskId().toString(), keys, keys * perKey);
    }


    @Override
    public void close() {
        metrics.windowStore(context.taskId().toString(), 0, 0);
    }
}
