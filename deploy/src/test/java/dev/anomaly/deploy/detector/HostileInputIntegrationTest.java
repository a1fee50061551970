package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.detector.topology.DeadLetters;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a hostile or broken producer can send, mixed with good records, on the real broker and registry under
 * exactly-once: allocation bombs, records too large for the dead-letter topic, ids that are unknown or name Protobuf and
 * JSON schemas, truncated, empty and null values. The detector stays up, every input record ends up in exactly one of
 * {scored, dead letter} with the right reason, and its committed position reaches the end: nothing is replayed forever.
 * Mid-stream the dead-letter topic's size limit is lowered behind the detector's back; the next oversized dead letter
 * still arrives, cut to fit.
 */
@ExtendWith(SharedLocalStack.class)
class HostileInputIntegrationTest {
    private static final String INPUT = "hostile-telemetry";

    /** A record sent and the outcome it must have: SCORED or a dead-letter reason (alternatives separated by |). */
    private record Case(String key, byte[] value, String expected, boolean cut) {
    }

    @Test
    void shouldRouteEveryHostileRecordToExactlyOnePlaceAndStayUp(LocalStack stack, @TempDir Path dir) throws Exception {
        DetectorFixtures.createTopics(stack, INPUT, "hostile");
        stack.createTopics(List.of(new NewTopic("hostile-dlq-small", 1, (short) 1).configs(Map.of("max.message.bytes", "262144"))));
        int protobufId = registerRaw(stack, "hostile-proto-value", "PROTOBUF",
                "syntax = \"proto3\";\npackage hostile;\n\nmessage Reading {\n  double rpm = 1;\n}\n");
        int jsonId = registerRaw(stack, "hostile-json-value", "JSON",
                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\",\"properties\":{\"rpm\":{\"type\":\"number\"}}}");
        byte[] onnx = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "hostile-detector", INPUT, "hostile", dir.resolve("state"));
        DetectorFixtures.startFrom(raw, dir.resolve("pumps.onnx"), onnx);
        raw.put("detector.deadletter.topic", "hostile-dlq-small");
        raw.put("commit.interval.ms", "200");

        SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
        serde.configure(stack.clientConfig(), false);
        List<LabelledReading> readings = DetectorFixtures.simulator(81, 0.01).next(2500);
        byte[] sample = serde.serializer().serialize(INPUT, readings.get(0).reading());
        int telemetryId = ByteBuffer.wrap(sample, 1, 4).getInt();

        List<Case> cases = new ArrayList<>();
        int n = 0;
        for (LabelledReading r : readings) {
            cases.add(new Case("good-" + n++, serde.serializer().serialize(INPUT, r.reading()), "SCORED", false));
            if (n % 50 != 0) {
                continue;
            }
            int k = n / 50;
            // The 5-byte crash of the issue: the real schema id, then a string length of ~2^31.
            cases.add(new Case("bomb-" + k, new byte[]{0, sample[1], sample[2], sample[3], sample[4], (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
                    "BAD_PAYLOAD|TRUNCATED", false));
            cases.add(new Case("unknown-" + k, header(0x7ff00000 + k % 3, new byte[]{2, 'x'}), "UNKNOWN_SCHEMA_ID", false));
            cases.add(new Case("proto-" + k, header(protobufId, new byte[]{9, 0, 0, 0, 0, 0, 0, 0, 0}), "UNSUPPORTED_SCHEMA", false));
            cases.add(new Case("json-" + k, header(jsonId, "{}".getBytes(StandardCharsets.UTF_8)), "UNSUPPORTED_SCHEMA", false));
            byte[] good = serde.serializer().serialize(INPUT, r.reading());
            cases.add(new Case("truncated-" + k, Arrays.copyOf(good, good.length - 5), "TRUNCATED", false));
            cases.add(new Case("empty-" + k, new byte[0], "EMPTY", false));
            cases.add(new Case("tombstone-" + k, null, "TOMBSTONE", false));
            if (k % 10 == 0) { // large ones: a dead letter of these would not fit the 256 KB dead-letter topic
                byte[] big = new byte[700_000];
                Arrays.fill(big, (byte) '{');
                cases.add(new Case("huge-garbage-" + k, big, "BAD_MAGIC_BYTE", true));
                MachineTelemetry m = MachineTelemetry.newBuilder(r.reading()).setMachineId("m".repeat(600_000)).build();
                cases.add(new Case("huge-good-" + k, serde.serializer().serialize(INPUT, m), "SCORED", false));
                m.setRpm(Double.NaN);
                cases.add(new Case("huge-nan-" + k, serde.serializer().serialize(INPUT, m), "NOT_FINITE", true));
            }
        }

        Map<String, String> positions = new LinkedHashMap<>(); // key -> partition@offset
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            positions.putAll(send(stack, cases));
            await().atMost(Duration.ofMinutes(2)).until(() -> app.metrics().recordsRouted() >= cases.size());

            // The dead-letter topic's limit drops to 64 KB while the detector runs; it still measured 256 KB at start.
            try (Admin admin = Admin.create(stack.clientConfig())) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "hostile-dlq-small"),
                        List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "65536"), AlterConfigOp.OpType.SET)))).all().get();
            }
            byte[] mid = new byte[150_000];
            Arrays.fill(mid, (byte) '[');
            Case late = new Case("late-garbage", mid, "BAD_MAGIC_BYTE", true);
            cases.add(late);
            positions.putAll(send(stack, List.of(late)));
            await().atMost(Duration.ofMinutes(2)).until(() -> app.metrics().recordsRouted() >= cases.size());

            assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(app.health().live()).isTrue();
            assertEverythingCommitted(stack, "hostile-detector");
        }

        Map<String, ConsumerRecord<byte[], byte[]>> scored = byPosition(DetectorFixtures.readAll(stack, "hostile-scores"));
        Map<String, ConsumerRecord<byte[], byte[]>> dead = byPosition(DetectorFixtures.readAll(stack, "hostile-dlq-small"));
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (Case c : cases) {
            String at = positions.get(c.key());
            boolean isScored = scored.containsKey(at);
            ConsumerRecord<byte[], byte[]> letter = dead.get(at);
            assertThat(isScored ^ letter != null).as("%s (%s) is in exactly one place", c.key(), at).isTrue();
            String outcome = isScored ? "SCORED" : text(letter, DeadLetters.REASON);
            assertThat(Set.of(c.expected().split("\\|"))).as(c.key()).contains(outcome);
            if (letter != null) {
                assertThat(text(letter, DeadLetters.TRUNCATED) != null).as("%s cut to fit", c.key()).isEqualTo(c.cut());
                if (!c.cut()) {
                    assertThat(letter.value()).as("%s kept unchanged", c.key()).isEqualTo(c.value());
                }
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        assertThat(scored.size() + dead.size()).as("no duplicates").isEqualTo(cases.size());
        System.out.printf("Hostile input: %d records -> %s%n", cases.size(), outcomes);
    }

    private static byte[] header(int id, byte[] payload) {
        return ByteBuffer.allocate(5 + payload.length).put((byte) 0).putInt(id).put(payload).array();
    }

    /** Sends every case (keys kept), returning where each landed. */
    private static Map<String, String> send(LocalStack stack, List<Case> cases) throws InterruptedException, ExecutionException {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        Map<String, Future<org.apache.kafka.clients.producer.RecordMetadata>> futures = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Case c : cases) {
                futures.put(c.key(), producer.send(new ProducerRecord<>(INPUT, c.key().getBytes(StandardCharsets.UTF_8), c.value())));
            }
        }
        Map<String, String> positions = new LinkedHashMap<>();
        for (var e : futures.entrySet()) {
            var m = e.getValue().get();
            positions.put(e.getKey(), m.partition() + "@" + m.offset());
        }
        return positions;
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> byPosition(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, ConsumerRecord<byte[], byte[]>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ConsumerRecord<byte[], byte[]> previous = out.put(text(r, DeadLetters.SOURCE_PARTITION) + "@" + text(r, DeadLetters.SOURCE_OFFSET), r);
            assertThat(previous).as("one output per input record").isNull();
        }
        return out;
    }

    private static String text(ConsumerRecord<byte[], byte[]> r, String header) {
        var h = r.headers().lastHeader(header);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The detector's committed position is the end of every input partition: no record is left to replay. */
    private static void assertEverythingCommitted(LocalStack stack, String group) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            try (Admin admin = Admin.create(stack.clientConfig())) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
                for (int p = 0; p < 4; p++) {
                    latest.put(new TopicPartition(INPUT, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
                }
                var ends = admin.listOffsets(latest).all().get();
                for (var e : ends.entrySet()) {
                    assertThat(committed.get(e.getKey())).as("committed offset of %s", e.getKey()).isNotNull();
                    assertThat(committed.get(e.getKey()).offset()).as("committed offset of %s", e.getKey()).isEqualTo(e.getValue().offset());
                }
            }
        });
    }

    /** Registers a non-Avro schema through the Confluent-compatible REST API; returns its global id. */
    private static int registerRaw(LocalStack stack, String subject, String type, String schema) throws Exception {
        var body = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("schema", schema).put("schemaType", type);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stack.schemaRegistryUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).path("id").asInt();
    }
}
