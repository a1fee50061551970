package dev.anomaly.detector.app;

import dev.anomaly.detector.ops.HealthState;
import dev.anomaly.detector.scoring.ModelAdmission;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.ShadowTrial;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.release.TrustedKeys;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Follows the compacted models topic and offers each new release of the served model id to {@link ModelAdmission}.
 * Reads the topic from the beginning without a consumer group (every detector instance needs every release). At start
 * the releases already there are offered newest first until one serves (or waits for the input schema): a bad newest
 * release does not hide a good older one. A rejected release is logged and counted; the serving model stays.
 * A release must be signed by a trusted key (or unsigned ones allowed) before it is even loaded.
 * The watcher beats {@link HealthState} at every poll; if it dies, the detector reports itself not live.
 */
public final class ModelReleaseWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelReleaseWatcher.class);

    private final String topic;
    private final Supplier<String> modelId;
    private final ModelHolder holder;
    private final ModelAdmission admission;
    private final int maxBytes;
    private final TrustedKeys trusted;
    private final HealthState health;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SpecificAvroSerde<ModelRelease> serde;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean started;

    public ModelReleaseWatcher(String topic, Supplier<String> modelId, ModelHolder holder, ModelAdmission admission, int maxBytes,
                               TrustedKeys trusted, HealthState health, Map<String, Object> clientConfig) {
        this.topic = topic;
        this.modelId = modelId;
        this.holder = holder;
        this.admission = admission;
        this.maxBytes = maxBytes;
        this.trusted = trusted;
        this.health = health;
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.serde = new SpecificAvroSerde<>(ModelRelease.class);
        serde.configure(config, false);
        this.thread = new Thread(this::loop, "model-release-watcher");
        this.thread.setDaemon(true);
    }

    /** Reads every release present now and offers the newest that can serve, then follows in the background. */
    public void start(Duration timeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("Models topic '" + topic + "' does not exist");
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ModelRelease> present = new ArrayList<>();
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out reading the models topic '" + topic + "'");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                ModelRelease release = read(r);
                if (release != null) {
                    present.add(release);
                }
            }
        }
        present.sort(Comparator.comparingInt(ModelRelease::getVersion).reversed());
        for (ModelRelease release : present) {
            ModelAdmission.Outcome outcome = offer(release);
            if (outcome != null && outcome.verdict() != ModelAdmission.Verdict.REJECTED) {
                break; // the newest usable release: older ones are not needed
            }
        }
        health.watcherStarted();
        started = true;
        thread.start();
    }

    private void loop() {
        String problem = null;
        try {
            while (running) {
                health.watcherBeat();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    ModelRelease release = read(r);
                    if (release != null) {
                        offer(release);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException | Error e) {
            problem = e.toString();
            log.error("Model release watcher stopped: {}; the detector reports itself not live", e.toString(), e);
        } finally {
            health.watcherStopped(running ? (problem == null ? "stopped" : problem) : null);
            consumer.close();
        }
    }

    /** The release in a record, or null (counted and logged) when it cannot be read or is too large. */
    private ModelRelease read(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        if (r.value().length > maxBytes) {
            rejected(r, "release of " + r.value().length + " bytes exceeds detector.models.max.bytes (" + maxBytes + ")");
            return null;
        }
        try {
            return serde.deserializer().deserialize(topic, r.value());
        } catch (RuntimeException e) {
            rejected(r, "unreadable: " + e.getMessage());
            return null;
        }
    }

    private void rejected(ConsumerRecord<byte[], byte[]> r, String why) {
        admission.refuse("release at " + r.topic() + "-" + r.partition() + "@" + r.offset(), null, why);
    }

    /**
     * Offers a release for the served model id that is newer than the one serving and the one waiting; returns what
     * became of it, or null when it was not for this detector or not newer.
     */
    public ModelAdmission.Outcome offer(ModelRelease release) {
        String wanted = modelId.get();
        if (!wanted.isEmpty() && !wanted.equals(release.getModelId())) {
            return null;
        }
        int serving = holder.metadata().filter(m -> m.modelId().equals(release.getModelId())).map(m -> m.version()).orElse(-1);
        int waiting = admission.waiting().filter(m -> m.modelId().equals(release.getModelId())).map(m -> m.version()).orElse(-1);
        int shadow = holder.shadowTrial().map(ShadowTrial::metadata).filter(m -> m.modelId().equals(release.getModelId()))
                .map(m -> m.version()).orElse(-1);
        if (release.getVersion() <= Math.max(Math.max(serving, waiting), shadow)) {
            return null;
        }
        String source = "release " + release.getModelId() + " v" + release.getVersion() + " (reason " + release.getReason() + ")";
        Optional<String> refusal = trusted.refusal(release);
        if (refusal.isPresent()) {
            return admission.refuse(source, new ModelAdmission.Expected(release.getModelId(), release.getVersion()), refusal.get());
        }
        return admission.offer(release.getOnnx().array(), source, new ModelAdmission.Expected(release.getModelId(), release.getVersion(),
                release.getImmediate()));
    }

    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
