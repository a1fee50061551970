package dev.anomaly.deploy.cli;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.example.LabelledReading;
import dev.anomaly.schemas.example.TelemetrySimulator;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The demo on the embedded stack. This first version starts the stack (real broker, real registry), streams simulated
 * telemetry through an Avro topic with the registry serde, reads it back and checks it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the demo on an embedded local stack (Kafka broker + schema registry on 127.0.0.1).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "1000", description = "Records to stream (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--topic", defaultValue = "telemetry", description = "Input topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--keep-running", description = "Leave the stack up after the demo, until Ctrl-C.")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        if (records < 1) {
            System.err.println("--records must be >= 1");
            return 2;
        }
        System.out.println("Starting the local stack (Kafka broker + Apicurio schema registry) ...");
        try (LocalStack stack = LocalStack.start()) {
            System.out.printf("  bootstrap servers : %s%n  schema registry   : %s%n", stack.bootstrapServers(), stack.schemaRegistryUrl());
            stack.createTopic(topic, 4);
            List<LabelledReading> sent = TelemetrySimulator.withDefaults(42).next(records);
            long t0 = System.nanoTime();
            produce(stack, sent);
            int received = consume(stack, sent);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("Round trip: %d records produced, %d read back identical, in %.2f s%n", sent.size(), received, seconds);
            if (received != sent.size()) {
                System.err.println("Round trip FAILED: not every record came back unchanged");
                return 1;
            }
            if (keepRunning) {
                System.out.println("Stack is running. Attach producers/consumers with the addresses above; Ctrl-C to stop.");
                CountDownLatch forever = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
                forever.await();
            }
        }
        System.out.println("Local stack stopped.");
        return 0;
    }

    private void produce(LocalStack stack, List<LabelledReading> readings) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class)) {
            serde.configure(config, false);
            try (KafkaProducer<String, MachineTelemetry> producer =
                         new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
                for (LabelledReading r : readings) {
                    producer.send(new ProducerRecord<>(topic, r.reading().getMachineId(), r.reading()));
                }
                producer.flush();
            }
        }
    }

    private int consume(LocalStack stack, List<LabelledReading> sent) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "anomaly-demo-check");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, MachineTelemetry> expected = new HashMap<>();
        for (LabelledReading r : sent) {
            expected.put(r.reading().getMachineId() + "@" + r.reading().getTimestamp().toEpochMilli(), r.reading());
        }
        int matched = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class)) {
            serde.configure(config, false);
            try (KafkaConsumer<String, MachineTelemetry> consumer =
                         new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
                consumer.subscribe(List.of(topic));
                int seen = 0;
                while (seen < sent.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, MachineTelemetry> record : consumer.poll(Duration.ofMillis(500))) {
                        seen++;
                        MachineTelemetry value = record.value();
                        if (value.equals(expected.get(value.getMachineId() + "@" + value.getTimestamp().toEpochMilli()))) {
                            matched++;
                        }
                    }
                }
            }
        }
        return matched;
    }
}
