package dev.anomaly.detector.episodes;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.AlertEpisode;
import dev.anomaly.schemas.avro.EpisodeState;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds the alerts of each key into episodes held in a changelogged key-value store (so a restart or a moved partition
 * resumes them; under exactly-once the store, the episode records and the input offsets commit together). Alerts of
 * one key arrive in one task because keys are the input's partitioning. Reports OPEN, UPDATE at 2, 4, 8, ... alerts,
 * and CLOSED when a later alert comes after the gap, or on a one-second wall-clock sweep once the task's stream time or
 * the wall clock has passed the episode's latest alert by the gap.
 */
public final class EpisodeProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final byte[] NO_KEY = new byte[0];
    private final String storeName;
    private final EpisodeSettings settings;
    private final Deserializer<Alert> alerts;
    private final Serializer<AlertEpisode> episodes;
    private final String alertTopic;
    private final String sink;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private long open;

    public EpisodeProcessor(String storeName, EpisodeSettings settings, Deserializer<Alert> alerts, Serializer<AlertEpisode> episodes,
                            String alertTopic, String sink) {
        this.storeName = storeName;
        this.settings = settings;
        this.alerts = alerts;
        this.episodes = episodes;
        this.alertTopic = alertTopic;
        this.sink = sink;
    }

    /** The store of open episodes, keyed by the alerts' record key. */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray());
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.open = store.approximateNumEntries();
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Alert alert = alerts.deserialize(alertTopic, record.value());
        Bytes key = Bytes.wrap(record.key() == null ? NO_KEY : record.key());
        AlertEpisode e = load(key);
        if (e != null && Episodes.afterGap(e, alert, settings.gap().toMillis())) {
            close(key, e, "gap");
            e = null;
        }
        AlertEpisode next;
        if (e == null) {
            if (open >= settings.maxOpen()) {
                evictQuietest();
            }
            next = Episodes.open(alert);
            open++;
            emit(record.key(), next, record.timestamp());
        } else {
            next = Episodes.add(e, alert);
            if (Episodes.reported(next.getAlerts())) {
                emit(record.key(), Episodes.withState(next, EpisodeState.UPDATE), record.timestamp());
            }
        }
        store.put(key, encode(next));
    }

    /** Closes the episodes no alert has followed for the gap, by the task's stream time or by the wall clock. */
    private void sweep(long wallClock) {
        long gap = settings.gap().toMillis();
        long streamTime = context.currentStreamTimeMs();
        List<KeyValue<Bytes, AlertEpisode>> quiet = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                AlertEpisode e = decode(kv.value);
                if (streamTime - e.getLastAlertTime().toEpochMilli() > gap || wallClock - e.getLastDetectedAt().toEpochMilli() > gap) {
                    quiet.add(KeyValue.pair(kv.key, e));
                }
            }
        }
        quiet.forEach(kv -> close(kv.key, kv.value, "quiet"));
    }

    private void evictQuietest() {
        Bytes oldestKey = null;
        AlertEpisode oldest = null;
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                AlertEpisode e = decode(kv.value);
                if (oldest == null || e.getLastAlertTime().isBefore(oldest.getLastAlertTime())) {
                    oldest = e;
                    oldestKey = kv.key;
                }
            }
        }
        if (oldest != null) {
            close(oldestKey, oldest, "evicted");
        }
    }

    private void close(Bytes key, AlertEpisode e, String reason) {
        store.delete(key);
        open = Math.max(0, open - 1);
        emit(key.get().length == 0 ? null : key.get(), Episodes.closed(e, reason), e.getLastAlertTime().toEpochMilli());
    }

    private void emit(byte[] key, AlertEpisode e, long timestamp) {
        context.forward(new Record<>(key == null || key.length == 0 ? null : key, episodes.serialize(settings.topic().orElseThrow(), e),
                timestamp), sink);
    }

    private AlertEpisode load(Bytes key) {
        byte[] v = store.get(key);
        return v == null ? null : decode(v);
    }

    private static byte[] encode(AlertEpisode e) {
        try {
            ByteBuffer b = e.toByteBuffer();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static AlertEpisode decode(byte[] v) {
        try {
            return AlertEpisode.fromByteBuffer(ByteBuffer.wrap(v));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
