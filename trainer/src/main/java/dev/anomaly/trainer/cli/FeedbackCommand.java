package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.Feedback;
import dev.anomaly.schemas.avro.FeedbackVerdict;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.data.DataException;
import dev.anomaly.trainer.lifecycle.TopicReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code anomaly feedback}: an operator's verdict on an alert, for the retraining job and for precision figures. */
@Command(name = "feedback", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Record whether an alert was a real anomaly (true-positive) or not (false-positive).",
        description = {"Looks the alert up on the alerts topic by the scored record's position (as in the alert: source topic,"
                + " partition, offset) and writes a Feedback record naming its model and version. The retraining job leaves"
                + " confirmed anomalies out of its training data and keeps confirmed false positives; 'anomaly models show'"
                + " reports precision from the verdicts.",
                "Exit codes: 0 ok, 2 bad options, 3 no such alert, 5 Kafka or the schema registry unreachable."})
public final class FeedbackCommand implements Callable<Integer> {
    private static final Pattern POSITION = Pattern.compile("(.+)-(\\d+)@(\\d+)");

    @Option(names = "--alert", required = true, paramLabel = "TOPIC-PARTITION@OFFSET", description = "The alerting record, e.g. telemetry-2@1234.")
    String alert;

    @Option(names = "--verdict", required = true, description = "true-positive or false-positive.")
    String verdict;

    @Option(names = "--author", required = true, description = "Who decided.")
    String author;

    @Option(names = "--comment", description = "Why.")
    String comment;

    @Option(names = "--topic", defaultValue = "anomaly-feedback", description = "Feedback topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--alerts-topic", defaultValue = "anomaly-alerts", description = "Alerts topic (default: ${DEFAULT-VALUE}).")
    String alertsTopic;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        Matcher m = POSITION.matcher(alert);
        if (!m.matches()) {
            throw new IllegalArgumentException("--alert must look like TOPIC-PARTITION@OFFSET (e.g. telemetry-2@1234), got '" + alert + "'");
        }
        FeedbackVerdict v = switch (verdict.trim().toLowerCase()) {
            case "true-positive", "tp", "true" -> FeedbackVerdict.TRUE_POSITIVE;
            case "false-positive", "fp", "false" -> FeedbackVerdict.FALSE_POSITIVE;
            default -> throw new IllegalArgumentException("--verdict must be true-positive or false-positive, got '" + verdict + "'");
        };
        String sourceTopic = m.group(1);
        int partition = Integer.parseInt(m.group(2));
        long offset = Long.parseLong(m.group(3));
        Map<String, Object> config = kafka.config("feedback");
        SpecificAvroSerde<Alert> alerts = new SpecificAvroSerde<>(Alert.class);
        alerts.configure(config, false);
        Alert found = TopicReader.read(alertsTopic, config, alerts.deserializer(), Duration.ofSeconds(60)).stream()
                .filter(a -> a.getSourceTopic().equals(sourceTopic) && a.getSourcePartition() == partition && a.getSourceOffset() == offset)
                .reduce((a, b) -> b)
                .orElseThrow(() -> new DataException("no alert for " + alert + " on " + alertsTopic));
        Feedback feedback = Feedback.newBuilder().setSourceTopic(sourceTopic).setSourcePartition(partition).setSourceOffset(offset)
                .setVerdict(v).setModelId(found.getModelId()).setModelVersion(found.getModelVersion()).setAuthor(author)
                .setComment(comment).setAt(Instant.now()).build();
        Map<String, Object> producerConfig = new HashMap<>(config);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        SpecificAvroSerde<Feedback> serde = new SpecificAvroSerde<>(Feedback.class);
        serde.configure(producerConfig, false);
        try (KafkaProducer<String, Feedback> producer = new KafkaProducer<>(producerConfig, new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, found.getModelId(), feedback)).get();
        }
        System.out.printf("Recorded %s for the alert of %s v%d on %s (score %.4g, threshold %.4g)%n", v, found.getModelId(),
                found.getModelVersion(), alert, found.getScore(), found.getThreshold());
        return ExitCodes.OK;
    }
}
