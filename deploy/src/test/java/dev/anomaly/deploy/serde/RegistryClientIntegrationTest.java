package dev.anomaly.deploy.serde;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.schemas.registry.IncompatibleSchemaException;
import dev.anomaly.schemas.registry.RegisteredSchema;
import dev.anomaly.schemas.registry.RegistryClientConfig;
import dev.anomaly.schemas.registry.RestSchemaRegistry;
import dev.anomaly.schemas.registry.SchemaNotFoundException;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import dev.anomaly.schemas.serde.AvroDeserializer;
import dev.anomaly.schemas.serde.AvroSerializer;
import dev.anomaly.schemas.serde.SerdeConfig;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry client and the serde against a real Apicurio registry (Confluent-compatible API). */
@ExtendWith(SharedLocalStack.class)
class RegistryClientIntegrationTest {
    private static final Schema V1 = SchemaBuilder.record("Reading").namespace("it").fields()
            .requiredString("name").requiredDouble("value").endRecord();
    private static final Schema V2_OPTIONAL_FIELD = SchemaBuilder.record("Reading").namespace("it").fields()
            .requiredString("name").requiredDouble("value").optionalString("unit").endRecord();
    private static final Schema V2_REQUIRED_FIELD = SchemaBuilder.record("Reading").namespace("it").fields()
            .requiredString("name").requiredDouble("value").requiredString("unit").endRecord();

    private RestSchemaRegistry client;
    private String url;

    @BeforeEach
    void setUp(LocalStack stack) {
        url = stack.schemaRegistryUrl();
        client = new RestSchemaRegistry(RegistryClientConfig.of(url));
    }

    @Test
    void shouldRegisterFetchByIdAndFindLatest() {
        int id = client.register("reg-basic-value", V1);

        RestSchemaRegistry fresh = new RestSchemaRegistry(RegistryClientConfig.of(url)); // no cache
        assertThat(fresh.schemaById(id)).isEqualTo(V1);
        RegisteredSchema latest = fresh.latest("reg-basic-value");
        assertThat(latest.id()).isEqualTo(id);
        assertThat(latest.version()).isEqualTo(1);
        assertThat(latest.schema()).isEqualTo(V1);
        assertThat(fresh.register("reg-basic-value", V1)).as("registering again is idempotent").isEqualTo(id);
        assertThat(fresh.idOf("reg-basic-value", V1)).isEqualTo(id);
    }

    @Test
    void shouldEvolveWithOptionalFieldAndReadOldAndNewRecords() {
        String topic = "reg-evolve";
        client.setCompatibility(topic + "-value", "BACKWARD");
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(client, new SerdeConfig(true, false, "TopicNameStrategy"), false);
        GenericRecord old = new GenericData.Record(V1);
        old.put("name", "p1");
        old.put("value", 1.0);
        byte[] oldBytes = serializer.serialize(topic, old);
        assertThat(client.isCompatible(topic + "-value", V2_OPTIONAL_FIELD)).isTrue();
        GenericRecord young = new GenericData.Record(V2_OPTIONAL_FIELD);
        young.put("name", "p2");
        young.put("value", 2.0);
        young.put("unit", "bar");
        byte[] newBytes = serializer.serialize(topic, young);
        assertThat(client.latest(topic + "-value").version()).isEqualTo(2);

        // A fresh client, as a consumer elsewhere would have, reads both with the new schema and with the old one.
        RestSchemaRegistry consumerSide = new RestSchemaRegistry(RegistryClientConfig.of(url));
        AvroDeserializer<GenericRecord> asNew = new AvroDeserializer<>(consumerSide, V2_OPTIONAL_FIELD, GenericData.get());
        AvroDeserializer<GenericRecord> asOld = new AvroDeserializer<>(consumerSide, V1, GenericData.get());
        assertThat(asNew.deserialize(topic, oldBytes).get("unit")).isNull();
        assertThat(asNew.deserialize(topic, newBytes).get("unit").toString()).isEqualTo("bar");
        assertThat(asOld.deserialize(topic, newBytes).get("name").toString()).isEqualTo("p2");
        assertThat(asOld.deserialize(topic, oldBytes).get("value")).isEqualTo(1.0);
    }

    @Test
    void shouldRejectIncompatibleChangeUnderBackwardCompatibility() {
        String subject = "reg-incompatible-value";
        client.register(subject, V1);
        client.setCompatibility(subject, "BACKWARD");

        assertThat(client.isCompatible(subject, V2_REQUIRED_FIELD)).isFalse();
        assertThatThrownBy(() -> client.register(subject, V2_REQUIRED_FIELD))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining(subject);
        assertThat(client.latest(subject).version()).isEqualTo(1);
    }

    @Test
    void shouldRegisterTheSameNewSubjectFromManyThreadsAtOnce() throws Exception {
        // Stream threads serialising their first alerts at the same moment race to create the subject.
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> ids = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ids.add(pool.submit(() -> {
                    go.await();
                    return new RestSchemaRegistry(RegistryClientConfig.of(url)).register("reg-race-value", V1);
                }));
            }
            go.countDown();
            java.util.Set<Integer> distinct = new java.util.HashSet<>();
            for (var f : ids) {
                distinct.add(f.get());
            }
            assertThat(distinct).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldNameTheMissingIdAndSubject() {
        assertThatThrownBy(() -> client.schemaById(987_654))
                .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining("987654");
        assertThatThrownBy(() -> client.latest("reg-no-such-subject"))
                .isInstanceOf(SchemaNotFoundException.class).hasMessageContaining("reg-no-such-subject");
    }

    @Test
    void shouldRetryThenFailWithTheUrlWhenRegistryIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + closedPort;
        RestSchemaRegistry unreachable = new RestSchemaRegistry(RegistryClientConfig.fromMap(Map.of(
                RegistryClientConfig.URL, dead, RegistryClientConfig.RETRIES, "2", RegistryClientConfig.RETRY_BACKOFF_MS, "10")));
        assertThatThrownBy(() -> unreachable.schemaById(1))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(dead).hasMessageContaining("schema id 1");
    }

    @Test
    void shouldFailOverToTheNextUrl() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        int id = client.register("reg-failover-value", V1);
        RestSchemaRegistry twoUrls = new RestSchemaRegistry(RegistryClientConfig.fromMap(Map.of(
                RegistryClientConfig.URL, "http://127.0.0.1:" + closedPort + "," + url, RegistryClientConfig.RETRY_BACKOFF_MS, "10")));
        assertThat(twoUrls.schemaById(id)).isEqualTo(V1);
    }
}
