package dev.anomaly.deploy.trainer;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.avro.DriftStatistic;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.retrain.RetrainConfig;
import dev.anomaly.trainer.retrain.RetrainJob;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One drift event the job cannot handle does not end the retraining loop. */
@ExtendWith(SharedLocalStack.class)
class RetrainJobResilienceIntegrationTest {
    @Test
    void shouldGoOnAfterAnEventItCannotHandle(LocalStack stack) throws Exception {
        stack.createTopic("resilient-drift", 1);
        stack.createTopic("resilient-input", 1);
        stack.createCompactedTopic("resilient-models"); // no release at all: every event fails
        try (SpecificAvroSerde<DriftEvent> serde = new SpecificAvroSerde<>(DriftEvent.class)) {
            serde.configure(stack.clientConfig(), false);
            try (KafkaProducer<String, DriftEvent> p = new KafkaProducer<>(stack.clientConfig(), new StringSerializer(), serde.serializer())) {
                for (int i = 0; i < 3; i++) {
                    p.send(new ProducerRecord<>("resilient-drift", "pumps", event("e" + i))).get();
                }
            }
        }
        Map<String, String> r = new HashMap<>();
        r.put("bootstrap.servers", stack.bootstrapServers());
        r.put("schema.registry.url", stack.schemaRegistryUrl());
        r.put("retrain.drift.topic", "resilient-drift");
        r.put("retrain.models.topic", "resilient-models");
        r.put("retrain.input.topic", "resilient-input");
        r.put("retrain.alerts.topic", "resilient-input");
        r.put("retrain.model.id", "pumps");
        r.put("retrain.publish.unsigned", "true");
        r.put("retrain.group.id", "resilient-retrain");
        RetrainJob job = new RetrainJob(RetrainConfig.fromMap(r));
        long deadline = System.nanoTime() + 120_000_000_000L;
        List<RetrainJob.Outcome> outcomes;
        try (Admin admin = Admin.create(stack.clientConfig())) {
            // Until the job has committed past all three events (each handled, one at a time).
            outcomes = job.run(() -> System.nanoTime() > deadline || committed(admin) >= 3);
        }

        assertThat(outcomes).hasSize(3).allSatisfy(o -> {
            assertThat(o.published()).isFalse();
            assertThat(o.reason()).startsWith("failed:").contains("No release of pumps");
        });
    }

    private static long committed(Admin admin) {
        try {
            var offsets = admin.listConsumerGroupOffsets("resilient-retrain").partitionsToOffsetAndMetadata().get();
            var at = offsets.get(new TopicPartition("resilient-drift", 0));
            return at == null ? 0 : at.offset();
        } catch (Exception e) {
            return 0;
        }
    }

    private static DriftEvent event(String id) {
        DriftStatistic score = DriftStatistic.newBuilder().setName("score").setPsi(1.0).setKs(0.5).setFired(true).build();
        return DriftEvent.newBuilder().setEventId(id).setModelId("pumps").setModelVersion(1)
                .setWindowStart(Instant.EPOCH).setWindowEnd(Instant.EPOCH).setWindowRecords(1000).setScore(score)
                .setFeatures(List.of()).setAlertRate(0.5).setExpectedAlertRate(0.01).setFired(List.of("score"))
                .setDetectedAt(Instant.EPOCH).build();
    }
}
