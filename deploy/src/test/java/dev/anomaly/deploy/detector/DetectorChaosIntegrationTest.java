package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.cli.AnomalyCli;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.RegistryFaultProxy;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.detector.topology.DeadLetters;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Faults of the environment under exactly-once: the detector killed with SIGKILL five times at random points (a
 * batch in its buffer, batches being scored, a transaction open) while input keeps arriving, and the broker restarted
 * once mid-stream; then a schema-registry outage and a registry that answers 404 for everything. Reading committed
 * output, every input record is in exactly one of {scored, dead-lettered}, the alerts are exactly the records above the
 * threshold, once each, and no good record is dead-lettered because of the registry.
 */
@ExtendWith(SharedLocalStack.class)
class DetectorChaosIntegrationTest {
    private static final int RECORDS = 24_000;
    private static final int KILLS = 5;

    @Test
    void shouldNeitherLoseNorDuplicateAcrossKillsAndABrokerRestart(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "chaos-telemetry";
        DetectorFixtures.createTopics(stack, input, "chaos");
        byte[] onnx = DetectorFixtures.trainModel("pumps", 1, 0.01);
        Path model = dir.resolve("pumps.onnx");
        Files.write(model, onnx);
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "chaos-detector", input, "chaos", dir.resolve("state"));
        raw.put("detector.model.path", model.toString());
        raw.put("detector.batch.size", "256");
        raw.put("detector.batch.linger.ms", "100");
        raw.put("commit.interval.ms", "200");
        // Recovery after a kill: the group waits out the dead member's session (6 s here, 45 s by default).
        raw.put("session.timeout.ms", "6000");
        raw.put("heartbeat.interval.ms", "1500");
        Path config = dir.resolve("detector.properties");
        Properties props = new Properties();
        props.putAll(raw);
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, null);
        }

        // Input keeps arriving through every kill and the broker restart: ~500 records/s, bad ones mixed in.
        List<LabelledReading> readings = DetectorFixtures.simulator(13, 0.01).next(RECORDS);
        List<DetectorFixtures.Sent> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread producer = new Thread(() -> {
            for (int from = 0; from < RECORDS; from += 250) {
                sent.addAll(DetectorFixtures.produce(stack, input, readings.subList(from, Math.min(RECORDS, from + 250))));
                if (from % 500 == 0) {
                    try (KafkaProducer<byte[], byte[]> p = DetectorFixtures.producer(stack)) {
                        p.send(new ProducerRecord<>(input, ("bad-" + from).getBytes(StandardCharsets.UTF_8), new byte[]{0, 0, 0}));
                    }
                }
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chaos-producer");
        producer.start();

        SplittableRandom random = new SplittableRandom(7);
        long progress = 0;
        for (int run = 1; run <= KILLS; run++) {
            Process detector = startDetector(config, Path.of("target", "chaos-run" + run + ".log"));
            long from = progress;
            // Progress before the kill, or, when a slow machine let the producer finish early, nothing left to do.
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(detector.isAlive()).as("detector died; see deploy/target/chaos-run*.log").isTrue();
                return outputEnd(stack, "chaos-scores") > from + 300
                        || !producer.isAlive() && caughtUp(stack, "chaos-detector", input);
            });
            if (run == 3) { // the broker goes away and comes back while the detector runs
                stack.stopBroker();
                Thread.sleep(2_000);
                stack.startBroker();
                long before = outputEnd(stack, "chaos-scores");
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    assertThat(detector.isAlive()).as("detector died after the broker restart; see deploy/target/chaos-run3.log").isTrue();
                    return outputEnd(stack, "chaos-scores") > before + 300;
                });
            }
            Thread.sleep(random.nextInt(1500));
            detector.destroyForcibly(); // SIGKILL
            assertThat(detector.waitFor(30, TimeUnit.SECONDS)).isTrue();
            progress = outputEnd(stack, "chaos-scores");
        }
        producer.join();
        int bad = (RECORDS + 499) / 500;

        Process last = startDetector(config, Path.of("target", "chaos-final.log"));
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    DetectorFixtures.readAll(stack, "chaos-scores").size() + DetectorFixtures.readAll(stack, "chaos-dlq").size() >= RECORDS + bad);
        } finally {
            last.destroy();
            last.waitFor(60, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<byte[], byte[]>> scores = DetectorFixtures.readAll(stack, "chaos-scores");
        List<ConsumerRecord<byte[], byte[]>> dlq = DetectorFixtures.readAll(stack, "chaos-dlq");
        Set<String> scoredAt = new HashSet<>();
        scores.forEach(r -> scoredAt.add(header(r, DeadLetters.SOURCE_PARTITION) + "@" + header(r, DeadLetters.SOURCE_OFFSET)));
        Set<String> deadAt = new HashSet<>();
        dlq.forEach(r -> deadAt.add(header(r, DeadLetters.SOURCE_PARTITION) + "@" + header(r, DeadLetters.SOURCE_OFFSET)));
        Set<String> sentAt = new HashSet<>();
        sent.forEach(s -> sentAt.add(DetectorFixtures.key(s.partition(), s.offset())));

        Set<String> expected = DetectorFixtures.expectedAlerts(onnx, sent);
        List<Alert> alerts = DetectorFixtures.alerts(stack, "chaos-alerts");
        Map<String, Integer> alertCount = new HashMap<>();
        alerts.forEach(a -> alertCount.merge(DetectorFixtures.key(a.getSourcePartition(), a.getSourceOffset()), 1, Integer::sum));
        long duplicates = alertCount.values().stream().filter(c -> c > 1).count() + (scores.size() - scoredAt.size()) + (dlq.size() - deadAt.size());
        Set<String> lost = new HashSet<>(sentAt);
        lost.removeAll(scoredAt);
        System.out.printf("Chaos run: %d kills, 1 broker restart; sent %d good + %d bad, scored %d, alerts %d (expected %d),"
                        + " dead letters %d, duplicates %d, lost %d%n", KILLS, RECORDS, bad, scores.size(), alerts.size(), expected.size(),
                dlq.size(), duplicates, lost.size());

        assertThat(sentAt).hasSize(RECORDS);
        assertThat(scores).as("each good record scored once").hasSize(RECORDS);
        assertThat(scoredAt).isEqualTo(sentAt);
        assertThat(dlq).hasSize(bad);
        assertThat(deadAt).hasSize(bad);
        assertThat(alertCount.values()).as("no alert twice").allMatch(c -> c == 1);
        assertThat(alertCount.keySet()).as("no alert lost").isEqualTo(expected);
    }

    @Test
    void shouldWaitOutARegistryOutageWithoutDeadLetteringGoodRecords(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "outage-telemetry";
        DetectorFixtures.createTopics(stack, input, "outage");
        byte[] onnx = DetectorFixtures.trainModel("pumps", 1, 0.01);
        try (RegistryFaultProxy proxy = new RegistryFaultProxy(stack.schemaRegistryUrl())) {
            Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "outage-detector", input, "outage", dir.resolve("state"));
            DetectorFixtures.startFrom(raw, dir.resolve("pumps.onnx"), onnx);
            raw.put("schema.registry.url", proxy.url());
            raw.put("schema.registry.retries", "1");
            raw.put("schema.registry.retry.backoff.ms", "100");
            raw.put("commit.interval.ms", "200");
            // Counted from committed output: under exactly-once a batch routed in a transaction that is then aborted (the
            // thread fails on the next one) is routed again, so the detector's own meters may count a record twice.
            java.util.function.IntSupplier committed = () -> DetectorFixtures.readAll(stack, "outage-scores").size();
            try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                DetectorFixtures.produce(stack, input, DetectorFixtures.simulator(3, 0.0).next(400));
                await().atMost(Duration.ofMinutes(1)).until(() -> committed.getAsInt() >= 400);

                // Outage: producers (talking to the registry directly) move to a new schema version the detector has not seen.
                proxy.mode(RegistryFaultProxy.Mode.DOWN);
                produceEvolved(stack, input, "firmware", 300, 100);
                await().atMost(Duration.ofMinutes(1)).until(() -> app.health().detail().contains("schema registry"));
                assertThat(app.health().ready()).isFalse();
                assertThat(committed.getAsInt()).as("records wait for the registry").isEqualTo(400);
                proxy.mode(RegistryFaultProxy.Mode.PASS);
                await().atMost(Duration.ofMinutes(2)).until(() -> committed.getAsInt() >= 700);

                // A registry that lost its data answers 404 for every id: an outage too, not a verdict on the records.
                proxy.mode(RegistryFaultProxy.Mode.NOT_FOUND);
                int lookupsBefore = proxy.lookupsById();
                produceEvolved(stack, input, "site", 300, 200);
                await().atMost(Duration.ofMinutes(1)).until(() -> proxy.lookupsById() > lookupsBefore + 4);
                assertThat(committed.getAsInt()).isEqualTo(700);
                proxy.mode(RegistryFaultProxy.Mode.PASS);
                await().atMost(Duration.ofMinutes(2)).until(() -> committed.getAsInt() >= 1000);
                await().atMost(Duration.ofMinutes(1)).until(() -> app.health().ready());
                assertThat(app.metrics().count("anomaly.deadletter")).isZero();
            }
        }
        List<ConsumerRecord<byte[], byte[]>> scores = DetectorFixtures.readAll(stack, "outage-scores");
        Set<String> at = new HashSet<>();
        scores.forEach(r -> at.add(header(r, DeadLetters.SOURCE_PARTITION) + "@" + header(r, DeadLetters.SOURCE_OFFSET)));
        assertThat(scores).hasSize(1000);
        assertThat(at).hasSize(1000);
        assertThat(DetectorFixtures.readAll(stack, "outage-dlq")).as("no good record dead-lettered").isEmpty();
    }

    /** Produces {@code n} readings with a schema that adds an optional field, registered through the real registry. */
    private static void produceEvolved(LocalStack stack, String topic, String extraField, int n, long seed) {
        Schema base = MachineTelemetry.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : base.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(extraField, Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                null, Schema.Field.NULL_DEFAULT_VALUE));
        Schema evolved = Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(stack.clientConfig(), false);
        try (KafkaProducer<byte[], byte[]> producer = DetectorFixtures.producer(stack)) {
            for (LabelledReading r : DetectorFixtures.simulator(seed, 0.0).next(n)) {
                GenericRecord g = new GenericData.Record(evolved);
                for (Schema.Field f : base.getFields()) {
                    g.put(f.name(), r.reading().get(f.name()));
                }
                g.put(extraField, "x");
                producer.send(new ProducerRecord<>(topic, r.reading().getMachineId().getBytes(StandardCharsets.UTF_8),
                        serde.serializer().serialize(topic, g)));
            }
        }
    }

    /** Sum of the end offsets of a topic (it grows with every committed transaction). */
    private static long outputEnd(LocalStack stack, String topic) {
        Map<String, Object> config = DetectorFixtures.consumerConfig(stack, "unused");
        config.remove("group.id");
        config.put("default.api.timeout.ms", 5000);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return c.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException e) {
            return -1; // broker away for the moment
        }
    }

    /** Whether the group's committed offsets have reached the end of the topic. */
    private static boolean caughtUp(LocalStack stack, String group, String topic) {
        Map<String, Object> config = DetectorFixtures.consumerConfig(stack, group);
        config.put("default.api.timeout.ms", 5000);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            Set<TopicPartition> parts = new HashSet<>();
            c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed = c.committed(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            // The test producer writes without transactions: the end offset is just past its last record.
            return parts.stream().allMatch(tp -> committed.get(tp) != null && committed.get(tp).offset() >= ends.get(tp));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static Process startDetector(Path config, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), AnomalyCli.class.getName(),
                "detect", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
