package dev.anomaly.deploy.cli;

import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.cli.ExitCodes;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code anomaly simulate}: the demo's pump telemetry (daily load cycles, coupled readings, injected anomalies) as
 * starter data — an Avro or CSV file to train on, or a live stream to a topic for the detector to watch.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Write simulated pump telemetry to a file (.avro, .csv) or stream it to a topic: starter data.",
        description = {"Simulated pump telemetry (MachineTelemetry records: 10 pumps, daily load cycles, coupled readings) with"
                + " injected anomalies (spikes, stuck sensors, broken correlations, drifts).",
                "--out FILE.avro writes an Avro container file (train on it with 'anomaly train --data FILE.avro');"
                        + " --out FILE.csv writes the numeric readings with a 0/1 label column;"
                        + " --topic T streams Confluent-wire Avro to Kafka at --rate records/s (--records 0: until stopped)."})
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "20000", description = "Records to write (0 with --topic: until stopped; default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--anomaly-rate", defaultValue = "0.01", description = "Share of anomalous readings (default: ${DEFAULT-VALUE}).")
    double anomalyRate;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed: the same seed gives the same records (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", description = "File to write: .avro or .csv.")
    Path out;

    @Option(names = "--topic", description = "Topic to stream to instead of a file.")
    String topic;

    @Option(names = "--rate", defaultValue = "100", description = "With --topic: records per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--bootstrap-servers", description = "With --topic: Kafka bootstrap servers (or KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "With --topic: schema registry URL (or KAFKA_SCHEMA_REGISTRY_URL).")
    String registryUrl;

    @Override
    public Integer call() throws Exception {
        if ((out == null) == (topic == null)) {
            throw new IllegalArgumentException("Give exactly one of --out FILE or --topic NAME");
        }
        if (anomalyRate < 0 || anomalyRate >= 1 || rate < 1 || records < 0 || (out != null && records == 0)) {
            throw new IllegalArgumentException("--anomaly-rate must be in [0, 1), --rate >= 1, --records >= 1 (0 only with --topic)");
        }
        TelemetrySimulator sim = new TelemetrySimulator(seed, 10, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(30), anomalyRate);
        if (topic != null) {
            return stream(sim);
        }
        String name = out.getFileName().toString().toLowerCase();
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        if (name.endsWith(".avro")) {
            try (DataFileWriter<MachineTelemetry> w = new DataFileWriter<>(new SpecificDatumWriter<>(MachineTelemetry.class))) {
                w.create(MachineTelemetry.getClassSchema(), out.toFile());
                for (long i = 0; i < records; i++) {
                    w.append(sim.next().reading());
                }
            }
        } else if (name.endsWith(".csv")) {
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                w.write("rpm,powerKw,temperatureC,vibrationMm,pressureBar,flowM3h,label\n");
                for (long i = 0; i < records; i++) {
                    LabelledReading r = sim.next();
                    MachineTelemetry t = r.reading();
                    w.write(t.getRpm() + "," + t.getPowerKw() + "," + t.getTemperatureC() + "," + t.getVibrationMm() + ","
                            + t.getPressureBar() + "," + t.getFlowM3h() + "," + (r.isAnomaly() ? 1 : 0) + "\n");
                }
            }
        } else {
            throw new IllegalArgumentException("--out must name a .avro or .csv file, not " + out);
        }
        System.err.printf("Wrote %,d simulated readings to %s%n", records, out);
        return ExitCodes.OK;
    }

    private int stream(TelemetrySimulator sim) throws IOException, InterruptedException {
        Map<String, Object> config = new HashMap<>(dev.anomaly.trainer.cli.ClientProperties.resolve(Map.of(), bootstrapServers, registryUrl, "simulate --topic"));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        AtomicBoolean stop = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
        long sent = 0;
        long start = System.nanoTime();
        try (SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
             KafkaProducer<String, MachineTelemetry> producer = new KafkaProducer<>(config, new StringSerializer(), serdeOf(serde, config))) {
            while (!stop.get() && (records == 0 || sent < records)) {
                long ahead = start + (long) (sent * 1e9 / rate) - System.nanoTime();
                if (ahead > 1_000_000) {
                    Thread.sleep(ahead / 1_000_000);
                }
                MachineTelemetry t = sim.next().reading();
                producer.send(new ProducerRecord<>(topic, t.getMachineId(), t));
                sent++;
                if (sent % (rate * 60L) == 0) {
                    System.err.printf("Sent %,d readings to %s%n", sent, topic);
                }
            }
        }
        System.err.printf("Sent %,d simulated readings to %s%n", sent, topic);
        return ExitCodes.OK;
    }

    private static org.apache.kafka.common.serialization.Serializer<MachineTelemetry> serdeOf(SpecificAvroSerde<MachineTelemetry> serde,
                                                                                            Map<String, Object> config) {
        serde.configure(config, false);
        return serde.serializer();
    }
}
