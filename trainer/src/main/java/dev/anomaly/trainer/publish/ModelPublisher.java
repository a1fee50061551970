package dev.anomaly.trainer.publish;

import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.data.UnavailableException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/** Publishes an exported model as a {@link ModelRelease} on the compacted models topic, keyed by model id. */
public final class ModelPublisher {
    private ModelPublisher() {
    }

    /** Builds the release record from the ONNX file; its metadata must load. */
    public static ModelRelease release(byte[] onnx, ReleaseReason reason, String note) {
        ModelMetadata m;
        try (OnnxScoringModel model = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            m = model.metadata();
        }
        return ModelRelease.newBuilder()
                .setModelId(m.modelId())
                .setVersion(m.version())
                .setKind(m.kind())
                .setCreatedAt(m.createdAt())
                .setOnnx(ByteBuffer.wrap(onnx))
                .setFeatureSpec(m.featureSpec().toJson())
                .setThreshold(m.threshold())
                .setBaseline(m.baseline().toAvro())
                .setMetrics(new HashMap<>(m.metrics()))
                .setReason(reason)
                .setNote(note)
                .build();
    }

    /** Sends and waits for the broker's acknowledgement. */
    public static RecordMetadata publish(ModelRelease release, String topic, Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
        // A person waits for this: say within seconds, not Kafka's minute, that the broker cannot be reached.
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        try (SpecificAvroSerde<ModelRelease> serde = new SpecificAvroSerde<>(ModelRelease.class)) {
            serde.configure(config, false);
            try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
                return producer.send(new ProducerRecord<>(topic, release.getModelId(), release)).get();
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new UnavailableException("Cannot reach Kafka at " + config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + " to publish "
                    + release.getModelId() + " v" + release.getVersion() + " (" + e.getMessage() + ")", e);
        } catch (org.apache.kafka.common.errors.SerializationException e) {
            if (e.getCause() instanceof dev.anomaly.schemas.registry.SchemaRegistryException r && r.unavailable()) {
                throw new UnavailableException("Cannot reach the schema registry: " + r.getMessage(), r);
            }
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException t) {
                throw new UnavailableException("Cannot reach Kafka at " + config.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + " to publish "
                        + release.getModelId() + " v" + release.getVersion() + " (" + t.getMessage() + ")", t);
            }
            throw new ModelException("Cannot publish " + release.getModelId() + " v" + release.getVersion() + " to " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("Interrupted while publishing a model release", e);
        }
    }
}
