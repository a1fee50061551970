package dev.anomaly.bench.windows;

import dev.anomaly.bench.BenchmarkReport;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.WindowSpec;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.cli.ExitCodes;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.data.Windowing;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code anomaly bench windows}: the detector over one backlog of pump telemetry, once serving a per-record model and
 * once a windowed model over the same features (the window stage decoding each record on the stream thread and keeping
 * every key's window in its changelogged store), pass by pass in turns on one embedded broker; records/s of each, their
 * ratio, and the window store's size per key.
 */
@Command(name = "windows", mixinStandardHelpOptions = true,
        header = "Detector throughput with and without per-key windows, side by side.",
        description = "Produces --records simulated readings of --keys machines to an embedded broker, trains a per-record AE and"
                + " a windowed AE (--window readings per machine) on simulated history, then runs the detector over the whole backlog"
                + " with each, --passes times in turns (exactly-once), printing records/s, the ratio and the window store per key.")
public final class BenchWindowsCommand implements Callable<Integer> {
    private static final FeatureSpec SPEC = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("powerKw"),
            Feature.numeric("temperatureC"), Feature.numeric("vibrationMm"), Feature.numeric("pressureBar"), Feature.numeric("flowM3h"));

    @Option(names = "--records", defaultValue = "100000", description = "Records in the backlog (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--keys", defaultValue = "1000", description = "Machines (window keys) (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--window", defaultValue = "8", description = "Readings per window (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--passes", defaultValue = "3", description = "Passes of each (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--warmup", defaultValue = "2", description = "Passes of each run first and not counted: the JIT warms up over"
            + " the first passes in this JVM (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("bench-windows");
        TelemetrySimulator history = new TelemetrySimulator(100, 10, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(30), 0.0);
        List<GenericRecord> past = new ArrayList<>();
        history.next(8000).forEach(r -> past.add(r.reading()));
        Dataset rows = RecordData.toDataset(past, SPEC, Optional.empty(), "history");
        Dataset windows = Windowing.windows(past, SPEC, new WindowSpec("machineId", "timestamp", window, 1), Optional.empty(), "history");
        Path perRecord = dir.resolve("per-record.onnx");
        Path windowed = dir.resolve("windowed.onnx");
        Files.write(perRecord, train(rows));
        Files.write(windowed, train(windows));
        System.out.printf("models: per record (%d inputs), windowed (%d inputs: %d readings x %d)%n", rows.width(), windows.width(),
                window, rows.width());

        Map<String, Double> figures = new LinkedHashMap<>();
        try (LocalStack stack = LocalStack.start()) {
            stack.createTopic("telemetry", 4);
            produce(stack);
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            double bytesPerKey = Double.NaN;
            double keysKept = Double.NaN;
            for (int pass = 1 - warmup; pass <= passes; pass++) {
                for (String kind : List.of("per-record", "windowed")) {
                    String app = "bench-" + kind + "-" + pass;
                    stack.createTopic(app + "-alerts", 1);
                    stack.createTopic(app + "-dlq", 1);
                    Map<String, String> raw = new HashMap<>();
                    raw.put("bootstrap.servers", stack.bootstrapServers());
                    raw.put("schema.registry.url", stack.schemaRegistryUrl());
                    raw.put("application.id", app);
                    raw.put("state.dir", dir.resolve("state-" + app).toString());
                    raw.put(DetectorConfig.INPUT_TOPICS, "telemetry");
                    raw.put(DetectorConfig.ALERT_TOPIC, app + "-alerts");
                    raw.put(DetectorConfig.DEAD_LETTER_TOPIC, app + "-dlq");
                    raw.put("detector.models.topic", app + "-models-absent");
                    raw.put(DetectorConfig.MODEL_PATH, (kind.equals("windowed") ? windowed : perRecord).toString());
                    raw.put("detector.drift.enabled", "false");
                    raw.put("detector.topics.create", "true"); // episodes and model events, as a first start would
                    raw.put("detector.http.host", "127.0.0.1");
                    raw.put("detector.http.port", "0");
                    raw.put("auto.offset.reset", "earliest");
                    long t0 = System.nanoTime();
                    try (DetectorApp app0 = DetectorApp.start(DetectorConfig.fromMap(raw))) {
                        while (app0.metrics().recordsRouted() < records) {
                            Thread.sleep(50);
                        }
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        if (pass >= 1) {
                            rates.computeIfAbsent(kind, k -> new ArrayList<>()).add(records / seconds);
                        }
                        System.out.printf("%s %d %-10s %,10.0f records/s (%.1f s, start-up included)%n", pass >= 1 ? "pass  " : "warm-up",
                                pass >= 1 ? pass : pass + warmup, kind, records / seconds, seconds);
                        if (kind.equals("windowed")) {
                            var registry = app0.metrics().registry();
                            keysKept = registry.get("anomaly.window.keys").gauge().value();
                            bytesPerKey = registry.get("anomaly.window.store.bytes").gauge().value() / keysKept;
                        }
                    }
                }
            }
            double perRecordRate = median(rates.get("per-record"));
            double windowedRate = median(rates.get("windowed"));
            long stateBytes;
            try (Stream<Path> files = Files.walk(dir.resolve("state-bench-windowed-" + passes))) {
                stateBytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            System.out.printf("%nmedian of %d passes: per record %,.0f records/s, windowed %,.0f records/s: windowed / per record %.2f%n",
                    passes, perRecordRate, windowedRate, windowedRate / perRecordRate);
            System.out.printf("window store: %,.0f keys, %.0f bytes per key in values (gauge); state directory %,d bytes after the"
                    + " last pass (%.0f per key, RocksDB files included)%n", keysKept, bytesPerKey, stateBytes, stateBytes / keysKept);
            figures.put("per_record_records_per_s", perRecordRate);
            figures.put("windowed_records_per_s", windowedRate);
            figures.put("windowed_over_per_record", windowedRate / perRecordRate);
            figures.put("window_keys", keysKept);
            figures.put("window_value_bytes_per_key", bytesPerKey);
            figures.put("window_state_dir_bytes", (double) stateBytes);
        }
        new BenchmarkReport("windows").put("records", records).put("keys", keys).put("window", window).put("passes", passes)
                .put("warmup", warmup)
                .putAll(figures).finish("windows", json);
        return ExitCodes.OK;
    }

    private static byte[] train(Dataset data) {
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), data.width(), data.rows()).withEpochs(10);
        return TrainingJob.run(data, config, "bench-windows", 1, ProgressListener.NONE).onnx();
    }

    private void produce(LocalStack stack) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
        serde.configure(config, false);
        TelemetrySimulator live = new TelemetrySimulator(7, keys, Instant.parse("2026-02-01T00:00:00Z"), Duration.ofSeconds(30), 0.01);
        try (KafkaProducer<String, MachineTelemetry> p = new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
            for (int i = 0; i < records; i++) {
                LabelledReading r = live.next();
                p.send(new ProducerRecord<>("telemetry", r.reading().getMachineId().toString(), r.reading()));
            }
            p.flush();
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
