package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.TrainingConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Shared pieces of the detector's end-to-end tests: a trained model, producing telemetry, reading outputs. */
final class DetectorFixtures {
    static final FeatureSpec SPEC = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("powerKw"), Feature.numeric("temperatureC"),
            Feature.numeric("vibrationMm"), Feature.numeric("pressureBar"), Feature.numeric("flowM3h"), Feature.bool("valveOpen"),
            Feature.categorical("mode", List.of("IDLE", "NORMAL", "BOOST")));

    private DetectorFixtures() {
    }

    static TelemetrySimulator simulator(long seed, double anomalyRate) {
        return new TelemetrySimulator(seed, 10, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(30), anomalyRate);
    }

    /** An AE trained on simulated telemetry (seconds, not minutes). */
    static byte[] trainModel(String id, int version, double falseAlarmRate) {
        return trainModel(id, version, falseAlarmRate, simulator(100, 0.0));
    }

    /** An AE trained on 4,000 readings of {@code source}. */
    static byte[] trainModel(String id, int version, double falseAlarmRate, TelemetrySimulator source) {
        List<GenericRecord> records = new ArrayList<>();
        source.next(4000).forEach(r -> records.add(r.reading()));
        Dataset data = RecordData.toDataset(records, SPEC, Optional.empty(), "simulated history");
        TrainingConfig d = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), data.width(), data.rows());
        TrainingConfig config = new TrainingConfig(d.family(), d.hidden(), d.latent(), d.activation(), 30, d.batchSize(), d.learningRate(),
                d.weightDecay(), d.validationFraction(), d.patience(), d.seed(), d.denoise(), d.scaling(),
                falseAlarmRate, d.contamination());
        return TrainingJob.run(data, config, id, version, ProgressListener.NONE).onnx();
    }

    /** A record sent and where it landed. */
    record Sent(LabelledReading reading, byte[] value, int partition, long offset) {
    }

    static KafkaProducer<byte[], byte[]> producer(LocalStack stack) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static List<Sent> produce(LocalStack stack, String topic, List<LabelledReading> readings) {
        SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
        serde.configure(stack.clientConfig(), false);
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(stack)) {
            for (LabelledReading r : readings) {
                byte[] value = serde.serializer().serialize(topic, r.reading());
                values.add(value);
                futures.add(producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(),
                        r.reading().getMachineId().getBytes(StandardCharsets.UTF_8), value)));
            }
            producer.flush();
        }
        List<Sent> sent = new ArrayList<>();
        try {
            for (int i = 0; i < readings.size(); i++) {
                RecordMetadata m = futures.get(i).get();
                sent.add(new Sent(readings.get(i), values.get(i), m.partition(), m.offset()));
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return sent;
    }

    static Map<String, Object> consumerConfig(LocalStack stack, String group) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return config;
    }

    /** Everything committed on a topic right now, read from the beginning without a group. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(LocalStack stack, String topic) {
        Map<String, Object> config = consumerConfig(stack, "unused");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    static List<Alert> alerts(LocalStack stack, String topic) {
        SpecificAvroSerde<Alert> serde = new SpecificAvroSerde<>(Alert.class);
        serde.configure(stack.clientConfig(), false);
        return readAll(stack, topic).stream().map(r -> serde.deserializer().deserialize(topic, r.value())).toList();
    }

    /** The tests' publisher key pair, made once per JVM: detectors from {@link #detectorConfig} trust it. */
    private static java.nio.file.Path keys;

    static synchronized java.nio.file.Path publisherKeys() {
        if (keys == null) {
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("anomaly-test-keys");
                dev.anomaly.schemas.release.SigningKey.generate(dir, "publisher");
                dev.anomaly.schemas.release.SigningKey.generate(dir, "stranger");
                keys = dir;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return keys;
    }

    static java.nio.file.Path signingKeyFile() {
        return publisherKeys().resolve("publisher.key");
    }

    /** The release signed by the tests' publisher key, the one detectors trust. */
    static ModelRelease signed(ModelRelease release) {
        return dev.anomaly.schemas.release.ReleaseSigning.sign(release, dev.anomaly.schemas.release.SigningKey.read(signingKeyFile()));
    }

    static Map<String, String> detectorConfig(LocalStack stack, String app, String input, String prefix, java.nio.file.Path stateDir) {
        Map<String, String> m = new HashMap<>();
        m.put("detector.models.trusted.keys", publisherKeys().resolve("publisher.pub").toString());
        m.put("application.id", app);
        m.put("bootstrap.servers", stack.bootstrapServers());
        m.put("schema.registry.url", stack.schemaRegistryUrl());
        m.put("state.dir", stateDir.toString());
        m.put("detector.input.topics", input);
        m.put("detector.alert.topic", prefix + "-alerts");
        m.put("detector.deadletter.topic", prefix + "-dlq");
        m.put("detector.scores.topic", prefix + "-scores");
        m.put("detector.models.topic", prefix + "-models");
        m.put("detector.model.events.topic", prefix + "-model-events");
        m.put("detector.episodes.topic", prefix + "-episodes");
        m.put("detector.models.shadow.records", "0"); // releases replace the serving model at once, unless a test says otherwise
        m.put("detector.drift.enabled", "false");
        m.put("detector.http.host", "127.0.0.1");
        m.put("detector.http.port", "0");
        m.put("detector.batch.size", "256");
        m.put("detector.batch.linger.ms", "20");
        return m;
    }

    /** Writes {@code onnx} to {@code file} and has the detector configured by {@code detectorConfig} start from it. */
    static void startFrom(Map<String, String> detectorConfig, java.nio.file.Path file, byte[] onnx) {
        try {
            java.nio.file.Files.write(file, onnx);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        detectorConfig.put(dev.anomaly.detector.config.DetectorConfig.MODEL_PATH, file.toString());
    }

    static void createTopics(LocalStack stack, String input, String prefix) {
        stack.createTopic(input, 4);
        stack.registerValueSchema(input, MachineTelemetry.getClassSchema());
        stack.createTopic(prefix + "-alerts", 1);
        stack.createTopic(prefix + "-dlq", 1);
        stack.createTopic(prefix + "-scores", 4);
        stack.createCompactedTopic(prefix + "-models");
        stack.createTopic(prefix + "-model-events", 1);
        stack.createTopic(prefix + "-episodes", 1);
    }

    /** Positions of the records the model scores above its threshold, computed offline with ONNX Runtime. */
    static java.util.Set<String> expectedAlerts(byte[] onnx, List<Sent> sent) {
        java.util.Set<String> expected = new java.util.HashSet<>();
        try (var model = dev.anomaly.scoring.onnx.OnnxScoringModel.load(onnx, dev.anomaly.scoring.ScoringOptions.cpu())) {
            int w = model.width();
            float[] rows = new float[sent.size() * w];
            for (int i = 0; i < sent.size(); i++) {
                model.metadata().featureSpec().extractInto(sent.get(i).reading().reading(), rows, i * w);
            }
            var scores = model.score(rows, sent.size());
            for (int i = 0; i < sent.size(); i++) {
                if (scores.score()[i] > model.metadata().threshold()) {
                    expected.add(key(sent.get(i).partition(), sent.get(i).offset()));
                }
            }
        }
        return expected;
    }

    static String key(int partition, long offset) {
        return partition + "@" + offset;
    }

    record Cli(int code, String out, String err) {
    }

    /** The CLI in this JVM; its tables go to System.out, captured here. */
    static synchronized Cli cli(String... args) {
        java.io.StringWriter err = new java.io.StringWriter();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        int code;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            picocli.CommandLine cmd = dev.anomaly.deploy.cli.AnomalyCli.commandLine();
            cmd.setErr(new java.io.PrintWriter(err));
            code = cmd.execute(args);
        } finally {
            System.setOut(old);
        }
        return new Cli(code, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString());
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
