package dev.anomaly.deploy.trainer;

import dev.anomaly.deploy.cli.AnomalyCli;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.data.KafkaTopicData;
import dev.anomaly.trainer.data.TopicRange;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Training data read from a range of a real topic through the real registry. */
@ExtendWith(SharedLocalStack.class)
class TopicTrainingIntegrationTest {
    private static final String TOPIC = "trainer-history";
    private static List<LabelledReading> sent;

    @BeforeAll
    static void produce(LocalStack stack) {
        stack.createTopic(TOPIC, 3);
        sent = TelemetrySimulator.withDefaults(21).next(3000);
        try (SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class)) {
            serde.configure(stack.clientConfig(), false);
            try (KafkaProducer<String, MachineTelemetry> p = new KafkaProducer<>(stack.clientConfig(), new StringSerializer(), serde.serializer())) {
                for (LabelledReading r : sent) {
                    // Record timestamps are the readings' own times, so time ranges select by reading time.
                    p.send(new ProducerRecord<>(TOPIC, null, r.reading().getTimestamp().toEpochMilli(), r.reading().getMachineId(), r.reading()));
                }
                p.flush();
            }
        }
    }

    @Test
    void shouldReadAllATimeRangeAndTheLastN(LocalStack stack) {
        TopicRange all = new TopicRange(TOPIC, Optional.empty(), Optional.empty(), OptionalLong.empty(), stack.clientConfig());
        assertThat(KafkaTopicData.records(all, Duration.ofSeconds(60))).hasSize(3000);

        Instant from = sent.get(1000).reading().getTimestamp();
        Instant to = sent.get(1999).reading().getTimestamp();
        long expected = sent.stream().map(r -> r.reading().getTimestamp()).filter(t -> !t.isBefore(from) && !t.isAfter(to)).count();
        TopicRange range = new TopicRange(TOPIC, Optional.of(from), Optional.of(to), OptionalLong.empty(), stack.clientConfig());
        List<GenericRecord> inRange = KafkaTopicData.records(range, Duration.ofSeconds(60));
        assertThat(inRange).hasSize((int) expected);
        assertThat(inRange).allSatisfy(r -> assertThat((Long) r.get("timestamp")).isBetween(from.toEpochMilli(), to.toEpochMilli()));

        TopicRange last = new TopicRange(TOPIC, Optional.empty(), Optional.empty(), OptionalLong.of(500), stack.clientConfig());
        List<GenericRecord> tail = KafkaTopicData.records(last, Duration.ofSeconds(60));
        assertThat(tail).hasSize(500);
        long newestSent = sent.get(sent.size() - 1).reading().getTimestamp().toEpochMilli();
        assertThat(tail.stream().mapToLong(r -> (Long) r.get("timestamp")).max().orElseThrow()).isEqualTo(newestSent);
    }

    @Test
    void shouldKeepAUniformSampleOfTheRangeInTimeOrderAndSaySo(LocalStack stack) {
        TopicRange sampled = new TopicRange(TOPIC, Optional.empty(), Optional.empty(), OptionalLong.empty(), java.util.OptionalInt.of(400),
                stack.clientConfig());

        KafkaTopicData.Read read = KafkaTopicData.readAll(sampled, Duration.ofSeconds(60), p -> true);
        assertThat(read.seen()).isEqualTo(3000);
        assertThat(read.records()).hasSize(400);
        assertThat(read.describe()).isEqualTo("a uniform sample of 400 of 3,000 records");
        assertThat(read.records()).isSortedAccordingTo(java.util.Comparator.comparingLong(KafkaTopicData.Positioned::timestamp));
        // Drawn from the whole range, not its head: each third of the topic's time span holds about a third of the sample.
        long first = sent.get(0).reading().getTimestamp().toEpochMilli();
        long span = sent.get(sent.size() - 1).reading().getTimestamp().toEpochMilli() - first + 1;
        long[] thirds = new long[3];
        read.records().forEach(p -> thirds[(int) ((p.timestamp() - first) * 3 / span)]++);
        for (long n : thirds) {
            assertThat(n).isBetween(100L, 170L);
        }
        // The same range gives the same sample.
        assertThat(KafkaTopicData.readAll(sampled, Duration.ofSeconds(60), p -> true).records())
                .extracting(p -> p.partition() + "@" + p.offset())
                .containsExactlyElementsOf(read.records().stream().map(p -> p.partition() + "@" + p.offset()).toList());
    }

    @Test
    void shouldFinishReadingATransactionalTopic(LocalStack stack) {
        // The last offset before a transactional topic's end is a commit marker, never returned as a record: a reader
        // that waits for the record at end - 1 never finishes.
        String topic = "trainer-transactional";
        stack.createTopic(topic, 2);
        java.util.Map<String, Object> config = new java.util.HashMap<>(stack.clientConfig());
        config.put("transactional.id", "trainer-transactional-test");
        try (SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class)) {
            serde.configure(stack.clientConfig(), false);
            try (KafkaProducer<String, MachineTelemetry> p = new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
                p.initTransactions();
                for (int t = 0; t < 3; t++) {
                    p.beginTransaction();
                    for (LabelledReading r : sent.subList(t * 100, t * 100 + 100)) {
                        p.send(new ProducerRecord<>(topic, r.reading().getMachineId(), r.reading()));
                    }
                    if (t == 1) {
                        p.abortTransaction(); // read_committed: these 100 are never seen
                    } else {
                        p.commitTransaction();
                    }
                }
            }
        }
        TopicRange all = new TopicRange(topic, Optional.empty(), Optional.empty(), OptionalLong.empty(), stack.clientConfig());
        assertThat(KafkaTopicData.records(all, Duration.ofSeconds(60))).hasSize(200);
    }

    @Test
    void shouldTrainFromTheTopicOnTheCommandLine(LocalStack stack, @TempDir Path dir) {
        Path model = dir.resolve("from-topic.onnx");
        int code = AnomalyCli.commandLine().execute("train", "--topic", TOPIC, "--bootstrap-servers", stack.bootstrapServers(),
                "--schema-registry-url", stack.schemaRegistryUrl(), "--exclude", "machineId", "--last", "2000",
                "--out", model.toString(), "--epochs", "5", "--quiet", "--no-report");
        assertThat(code).isZero();
        try (OnnxScoringModel m = OnnxScoringModel.load(model, ScoringOptions.cpu())) {
            assertThat(m.metadata().featureSpec().columnNames()).contains("rpm", "valveOpen", "mode=NORMAL").doesNotContain("machineId");
            assertThat(m.metadata().metrics().get("train_rows") + m.metadata().metrics().get("validation_rows")).isEqualTo(2000.0);
        }
    }
}
