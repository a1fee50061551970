package dev.anomaly.detector.app;

import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.ModelAdmission;
import dev.anomaly.schemas.avro.ModelEvent;
import dev.anomaly.schemas.avro.ModelEventType;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What became of each model candidate, as metrics and as {@link ModelEvent}s on the model events topic (keyed by model
 * id): served, refused with the reason, reverted. Events are sent outside the stream's transactions, by a producer of
 * their own: they report the detector's decisions, which are not part of any input record's processing. A failed send
 * is logged; it never stops a decision.
 */
final class ModelEvents implements ModelAdmission.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelEvents.class);

    private final DetectorMetrics metrics;
    private final Optional<String> topic;
    private final String detector;
    private final KafkaProducer<String, ModelEvent> producer;
    private final SpecificAvroSerde<ModelEvent> serde;

    ModelEvents(DetectorMetrics metrics, Optional<String> topic, String applicationId, Map<String, Object> clientConfig) {
        this.metrics = metrics;
        this.topic = topic;
        this.detector = applicationId + "@" + host();
        if (topic.isEmpty()) {
            producer = null;
            serde = null;
            return;
        }
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        serde = new SpecificAvroSerde<>(ModelEvent.class);
        serde.configure(config, false);
        producer = new KafkaProducer<>(config, new StringSerializer(), serde.serializer());
    }

    @Override
    public void rejected(ModelAdmission.Candidate candidate, String why) {
        metrics.modelRejected();
        send(ModelEventType.REJECTED, candidate.modelId(), candidate.version(), candidate.source(), why);
    }

    @Override
    public void served(ModelAdmission.Candidate candidate, String note) {
        send(ModelEventType.SERVING, candidate.modelId(), candidate.version(), candidate.source(), note);
    }

    @Override
    public void shadowing(ModelAdmission.Candidate candidate) {
        send(ModelEventType.SHADOW, candidate.modelId(), candidate.version(), candidate.source(), null);
    }

    void reverted(String modelId, int version, String why) {
        send(ModelEventType.REVERTED, modelId, version, "serving " + modelId + " v" + version, why);
    }

    private void send(ModelEventType type, String modelId, Integer version, String source, String reason) {
        if (producer == null) {
            return;
        }
        ModelEvent event = ModelEvent.newBuilder().setEvent(type).setModelId(modelId).setVersion(version).setSource(source)
                .setReason(reason).setDetector(detector).setAt(Instant.now()).build();
        try {
            producer.send(new ProducerRecord<>(topic.get(), modelId, event), (meta, e) -> {
                if (e != null) {
                    log.warn("Could not write the {} event for {} to {}: {}", type, source, topic.get(), e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("Could not write the {} event for {} to {}: {}", type, source, topic.get(), e.toString());
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
            serde.close();
        }
    }
}
