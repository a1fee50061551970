package dev.anomaly.detector.app;

import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.ReleaseValidator;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.model.ModelException;
import dev.anomaly.schemas.model.OnnxScoringModel;
import dev.anomaly.schemas.model.ScoringOptions;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import org.apache.avro.Schema;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Follows the compacted models topic and swaps in each new release of the served model id that passes validation.
 * Reads the topic from the beginning without a consumer group (every detector instance needs every release).
 * A rejected release is logged and counted; the serving model stays.
 */
public final class ModelReleaseWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelReleaseWatcher.class);

    private final String topic;
    private final Supplier<String> modelId;
    private final ModelHolder holder;
    private final ScoringOptions options;
    private final Supplier<Optional<Schema>> inputSchema;
    private final DetectorMetrics metrics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SpecificAvroSerde<ModelRelease> serde;
    private final Thread thread;
    private volatile boolean running = true;

    public ModelReleaseWatcher(String topic, Supplier<String> modelId, ModelHolder holder, ScoringOptions options,
                               Supplier<Optional<Schema>> inputSchema, DetectorMetrics metrics, Map<String, Object> clientConfig) {
        this.topic = topic;
        this.modelId = modelId;
        this.holder = holder;
        this.options = options;
        this.inputSchema = inputSchema;
        this.metrics = metrics;
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

    /** Reads every release present now (so the newest valid one serves from the start), then follows in the background. */
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
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out reading the models topic '" + topic + "'");
            }
            handle(consumer.poll(Duration.ofMillis(200)));
        }
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                handle(consumer.poll(Duration.ofMillis(500)));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Model release watcher stopped: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    private void handle(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() == null) {
                continue;
            }
            ModelRelease release;
            try {
                release = serde.deserializer().deserialize(topic, r.value());
            } catch (RuntimeException e) {
                metrics.modelRejected();
                log.warn("Rejected unreadable model release at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                continue;
            }
            offer(release);
        }
    }

    /** Validates a release and swaps it in when it is newer than the serving version. */
    public boolean offer(ModelRelease release) {
        String wanted = modelId.get();
        if (!wanted.isEmpty() && !wanted.equals(release.getModelId())) {
            return false;
        }
        int serving = holder.metadata().map(m -> m.modelId().equals(release.getModelId()) ? m.version() : -1).orElse(-1);
        if (release.getVersion() <= serving) {
            return false;
        }
        try {
            OnnxScoringModel model = ReleaseValidator.validate(release.getOnnx().array(), inputSchema.get(), options);
            if (!model.metadata().modelId().equals(release.getModelId()) || model.metadata().version() != release.getVersion()) {
                model.close();
                throw new ModelException("release says " + release.getModelId() + " v" + release.getVersion()
                        + " but the ONNX metadata says " + model.metadata().modelId() + " v" + model.metadata().version());
            }
            holder.swap(model);
            log.info("Serving model {} v{} (reason {}), threshold {}", release.getModelId(), release.getVersion(), release.getReason(),
                    model.metadata().threshold());
            return true;
        } catch (ModelException e) {
            metrics.modelRejected();
            log.warn("Rejected model release {} v{}: {}; still serving {}", release.getModelId(), release.getVersion(), e.getMessage(),
                    holder.metadata().map(m -> m.modelId() + " v" + m.version()).orElse("nothing"));
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
