package dev.anomaly.deploy.serde;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.schemas.serde.WireFormat;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** 10k Avro records through the real broker with our serde and the real registry: what comes out is what went in. */
@ExtendWith(SharedLocalStack.class)
class SerdeRoundTripIntegrationTest {
    static final int RECORDS = 10_000;

    @Test
    void shouldRoundTripTenThousandRecordsThroughTheBroker(LocalStack stack) {
        stack.createTopic("serde-roundtrip", 3);
        verifyRoundTrip(stack.clientConfig(), "serde-roundtrip", RECORDS);
    }

    /** Produces {@code records} telemetry records, reads them back as specific and as generic records, compares. */
    static void verifyRoundTrip(Map<String, Object> clientConfig, String topic, int records) {
        List<MachineTelemetry> sent = TelemetrySimulator.withDefaults(7).next(records).stream().map(LabelledReading::reading).toList();
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class)) {
            serde.configure(config, false);
            try (KafkaProducer<String, MachineTelemetry> producer = new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
                sent.forEach(r -> producer.send(new ProducerRecord<>(topic, r.getMachineId(), r)));
                producer.flush();
            }
        }

        Map<String, Object> consumerConfig = new HashMap<>(clientConfig);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-roundtrip-test");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        List<MachineTelemetry> specific = new ArrayList<>();
        try (SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class)) {
            serde.configure(consumerConfig, false);
            try (KafkaConsumer<String, MachineTelemetry> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), serde.deserializer())) {
                consumer.subscribe(List.of(topic));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, MachineTelemetry> r : consumer.poll(Duration.ofMillis(200))) {
                        assertThat(r.key()).isEqualTo(r.value().getMachineId());
                        specific.add(r.value());
                    }
                    return specific.size() >= records;
                });
            }
        }
        assertThat(specific).containsExactlyInAnyOrderElementsOf(sent);

        // The same bytes read as generic records with a second consumer group, and framed as the spec says.
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-roundtrip-generic");
        List<GenericRecord> generic = new ArrayList<>();
        List<byte[]> raw = new ArrayList<>();
        try (GenericAvroSerde serde = new GenericAvroSerde();
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            serde.configure(consumerConfig, false);
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    raw.add(r.value());
                    generic.add(serde.deserializer().deserialize(topic, r.value()));
                }
                return generic.size() >= records;
            });
        }
        int id = WireFormat.schemaId(raw.get(0), topic);
        assertThat(raw).allSatisfy(bytes -> {
            assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
            assertThat(WireFormat.schemaId(bytes, topic)).isEqualTo(id);
        });
        assertThat(generic.stream().mapToDouble(g -> (Double) g.get("rpm")).sum())
                .isCloseTo(sent.stream().mapToDouble(MachineTelemetry::getRpm).sum(), org.assertj.core.data.Offset.offset(1e-3));
    }
}
