package dev.anomaly.deploy.demo;

import dev.anomaly.deploy.stack.KafkaEnvironment;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.FeatureContribution;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.cli.ConsoleProgress;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.publish.ModelPublisher;
import dev.anomaly.trainer.retrain.RetrainConfig;
import dev.anomaly.trainer.retrain.RetrainJob;
import dev.anomaly.trainer.report.TrainingReport;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo story on the embedded stack: train on history, publish the model, run the detector, stream the rest
 * through the registry serde, show alerts as they arrive, and summarise against the injected labels.
 */
public final class DemoRun {
    public static final String INPUT = "telemetry";
    public static final String ALERTS = "anomaly-alerts";
    public static final String DEAD_LETTERS = "anomaly-deadletter";
    public static final String MODELS = "anomaly-models";
    public static final String DRIFT = "anomaly-drift";
    public static final String MODEL_ID = "demo-model";

    /** Demo settings. */
    /**
     * @param shiftAt with the drift story: the stream index where the regime shifts (the retraining job runs alongside); -1 without
     */
    public record Options(DemoSource source, ModelKind kind, int rate, int badRecords, int shownAlerts, Path outDir,
                          Optional<Integer> epochs, int shiftAt) {
    }

    private final KafkaEnvironment stack;
    private final Options options;
    private final PrintStream out;

    public DemoRun(KafkaEnvironment stack, Options options, PrintStream out) {
        this.stack = stack;
        this.options = options;
        this.out = out;
    }

    public DemoSummary run() throws IOException, InterruptedException {
        DemoSource source = options.source();
        stack.createTopic(INPUT, 4);
        stack.createTopic(ALERTS, 1);
        stack.createTopic(DEAD_LETTERS, 1);
        stack.createTopic(DRIFT, 1);
        stack.createCompactedTopic(MODELS);

        // 1. Train on the history and publish the model.
        out.printf("%nTraining %s on %d historical records of %s%n", options.kind(), source.history().size(), source.description());
        Dataset history = RecordData.toDataset(source.history(), source.spec(), Optional.empty(), "demo history");
        TrainingConfig defaults = TrainingConfig.defaults(options.kind(), history.width(), (int) (history.rows() * 0.8));
        TrainingConfig config = options.epochs().map(defaults::withEpochs).orElse(defaults);
        ConsoleProgress progress = new ConsoleProgress(out);
        TrainingJob.Outcome trained = TrainingJob.run(history, config, MODEL_ID, 1, progress);
        progress.finish();
        Files.createDirectories(options.outDir());
        Path modelFile = options.outDir().resolve(MODEL_ID + ".onnx");
        Files.write(modelFile, trained.onnx());
        Path report = TrainingReport.write(options.outDir().resolve(MODEL_ID + ".report"), trained);
        out.printf("Model %s v1: threshold %.4g, %s%n  written to %s, report %s%n", MODEL_ID, trained.metadata().threshold(),
                trained.parity(), modelFile, report);
        ModelPublisher.publish(ModelPublisher.release(trained.onnx(), ReleaseReason.INITIAL, "demo"), MODELS, stack.clientConfig());
        out.printf("Published %s v1 to topic %s%n", MODEL_ID, MODELS);

        // 2. Start the detector; it takes the model from the models topic. The input's schema is its contract: registered
        // before the detector starts, so it can check that the model reads what producers write.
        stack.registerValueSchema(INPUT, dev.anomaly.schemas.avro.MachineTelemetry.getClassSchema());
        Map<String, String> raw = new HashMap<>();
        raw.put("application.id", "anomaly-demo-detector");
        raw.put("bootstrap.servers", stack.bootstrapServers());
        raw.put("schema.registry.url", stack.schemaRegistryUrl());
        raw.put("state.dir", stack.dataDir().resolve("streams").toString());
        raw.put(DetectorConfig.INPUT_TOPICS, INPUT);
        raw.put(DetectorConfig.ALERT_TOPIC, ALERTS);
        raw.put(DetectorConfig.DEAD_LETTER_TOPIC, DEAD_LETTERS);
        raw.put(DetectorConfig.MODELS_TOPIC, MODELS);
        raw.put(DetectorConfig.MODEL_ID, MODEL_ID);
        raw.put(DetectorConfig.HTTP_HOST, "127.0.0.1");
        raw.put(DetectorConfig.HTTP_PORT, "0");
        raw.put("detector.drift.topic", DRIFT);
        raw.put("detector.drift.window.records", "2000");
        raw.put("detector.drift.min.interval.ms", "10000");
        if (options.shiftAt() >= 0) {
            raw.put("detector.drift.window.records", "1500");
            raw.put("detector.drift.min.interval.ms", "5000");
        }
        RetrainJob retrainJob = null;
        AtomicBoolean stopRetraining = new AtomicBoolean();
        Thread retrainer = null;
        if (options.shiftAt() >= 0) {
            Map<String, String> r = new HashMap<>();
            r.put("bootstrap.servers", stack.bootstrapServers());
            r.put("schema.registry.url", stack.schemaRegistryUrl());
            r.put("retrain.drift.topic", DRIFT);
            r.put("retrain.models.topic", MODELS);
            r.put("retrain.input.topic", INPUT);
            r.put("retrain.alerts.topic", ALERTS);
            r.put("retrain.model.id", MODEL_ID);
            r.put("retrain.records.last", Integer.toString(Math.max(2000, Math.min(8000, source.stream().size() / 4))));
            retrainJob = new RetrainJob(RetrainConfig.fromMap(r));
            RetrainJob job = retrainJob;
            retrainer = new Thread(() -> job.run(stopRetraining::get), "demo-retraining-job");
            retrainer.start();
            out.println("Retraining job running: it retrains on drift events and publishes the next model version.");
        }
        try (DetectorApp detector = DetectorApp.start(DetectorConfig.fromMap(raw))) {
            if (!detector.awaitRunning(Duration.ofSeconds(60))) {
                throw new IllegalStateException("The detector did not reach RUNNING within 60 s: " + detector.streams().state());
            }
            out.printf("Detector running (exactly-once, batches of 512 / 5 ms); metrics at http://127.0.0.1:%d/metrics%n", detector.httpPort());
            return stream(detector, source, report);
        } finally {
            stopRetraining.set(true);
            if (retrainer != null) {
                retrainer.join(30_000);
            }
        }
    }

    private DemoSummary stream(DetectorApp detector, DemoSource source, Path report) throws InterruptedException {
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread alertReader = new Thread(() -> readAlerts(alerts, reading), "demo-alert-reader");
        alertReader.start();

        // 3. Stream the rest at the demo rate, with a few undecodable records mixed in.
        int total = source.stream().size();
        out.printf("%nStreaming %d records at up to %d records/s (%d undecodable ones mixed in) ...%n", total, options.rate(), options.badRecords());
        Map<String, Integer> labelAt = new ConcurrentHashMap<>();
        Map<String, Integer> indexAt = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        int[] swapIndex = {-1};
        Map<String, Object> producerConfig = new HashMap<>(stack.clientConfig());
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        int every = options.badRecords() > 0 ? Math.max(1, total / options.badRecords()) : Integer.MAX_VALUE;
        try (GenericAvroSerde serde = new GenericAvroSerde();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            serde.configure(stack.clientConfig(), false);
            List<Future<RecordMetadata>> pending = new ArrayList<>();
            long lastProgress = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long ahead = start + (long) (i * 1e9 / options.rate()) - System.nanoTime();
                if (ahead > 1_000_000) {
                    Thread.sleep(ahead / 1_000_000); // pace the producer without spinning a core the detector needs
                }
                byte[] key = source.streamKeys().get(i).getBytes(StandardCharsets.UTF_8);
                int label = source.streamLabels().get(i);
                int index = i;
                producer.send(new ProducerRecord<>(INPUT, null, System.currentTimeMillis(), key, serde.serializer().serialize(INPUT, source.stream().get(i))),
                        (m, e) -> {
                            if (m != null) {
                                labelAt.put(m.partition() + "@" + m.offset(), label);
                                indexAt.put(m.partition() + "@" + m.offset(), index);
                            }
                        });
                if (i % every == every - 1) {
                    producer.send(new ProducerRecord<>(INPUT, key, ("{\"oops\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
                }
                if (System.nanoTime() - lastProgress > 1_000_000_000L) {
                    progress(detector, i + 1, total, alerts.size());
                    lastProgress = System.nanoTime();
                }
                if (i == options.shiftAt()) {
                    out.printf("  >>> regime shift at record %,d: pumps run 30 %% faster and 6 C hotter from now on%n", i);
                }
                if (swapIndex[0] < 0 && detector.models().metadata().map(m -> m.version() > 1).orElse(false)) {
                    swapIndex[0] = i;
                    out.printf("  >>> the detector now serves %s v%d (after record %,d)%n", MODEL_ID, detector.models().metadata().get().version(), i);
                }
            }
            producer.flush();
            pending.clear();
        }
        int bad = total / every;
        long expected = total + (options.badRecords() > 0 ? bad : 0);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long lastProgress = 0;
        while (processed(detector) < expected && System.nanoTime() < deadline) {
            if (System.nanoTime() - lastProgress > 1_000_000_000L) {
                progress(detector, total, total, alerts.size());
                lastProgress = System.nanoTime();
            }
            Thread.sleep(50); // waiting on the detector's progress counters, shown to the user
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long alertCount = (long) detector.metrics().count("anomaly.alerts");
        long waitAlerts = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (alerts.size() < alertCount && System.nanoTime() < waitAlerts) {
            Thread.sleep(50); // the alert reader catches up with committed alerts
        }
        reading.set(false);
        alertReader.join(5_000);
        progress(detector, total, total, alerts.size());
        return summary(detector, source, alerts, labelAt, indexAt, seconds, report, swapIndex[0]);
    }

    private static double processed(DetectorApp d) {
        return d.metrics().count("anomaly.records.scored") + d.metrics().count("anomaly.deadletter");
    }

    private void progress(DetectorApp detector, int produced, int total, int alerts) {
        out.printf("  produced %,d/%,d  scored %,.0f  dead-lettered %,.0f  alerts %,d%n", produced, total,
                detector.metrics().count("anomaly.records.scored"), detector.metrics().count("anomaly.deadletter"), alerts);
    }

    private void readAlerts(List<Alert> alerts, AtomicBoolean reading) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "anomaly-demo-alerts");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (SpecificAvroSerde<Alert> serde = new SpecificAvroSerde<>(Alert.class)) {
            serde.configure(config, false);
            try (KafkaConsumer<String, Alert> consumer = new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
                consumer.subscribe(List.of(ALERTS));
                while (reading.get()) {
                    for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(200))) {
                        alerts.add(r.value());
                        if (alerts.size() <= options.shownAlerts()) {
                            out.println(describe(r.value()));
                        } else if (alerts.size() == options.shownAlerts() + 1) {
                            out.println("  ... (further alerts counted, not shown)");
                        }
                    }
                }
            }
        }
    }

    static String describe(Alert a) {
        StringBuilder sb = new StringBuilder(String.format("  ALERT %-8s score %8.2f > %.2f  (v%d, %s@%d)  top:", a.getEventKey(), a.getScore(),
                a.getThreshold(), a.getModelVersion(), a.getSourcePartition(), a.getSourceOffset()));
        for (FeatureContribution f : a.getTopFeatures()) {
            sb.append(String.format("  %s=%.4g (expected %.4g)", f.getName(), f.getObserved(), f.getExpected()));
        }
        return sb.toString();
    }

    private DemoSummary summary(DetectorApp detector, DemoSource source, List<Alert> alerts, Map<String, Integer> labelAt,
                                Map<String, Integer> indexAt, double seconds, Path report, int swapIndex) {
        long records = labelAt.size();
        long tp = alerts.stream().filter(a -> labelAt.getOrDefault(a.getSourcePartition() + "@" + a.getSourceOffset(), 0) == 1).count();
        long positives = labelAt.values().stream().filter(l -> l == 1).count();
        double precision = alerts.isEmpty() ? 0 : (double) tp / alerts.size();
        double recall = positives == 0 ? 0 : (double) tp / positives;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        List<Long> latencies = new ArrayList<>();
        alerts.forEach(a -> latencies.add(a.getDetectedAt().toEpochMilli() - a.getEventTime().toEpochMilli()));
        Collections.sort(latencies);
        double p50 = latencies.isEmpty() ? Double.NaN : latencies.get((int) Math.floor(0.5 * (latencies.size() - 1)));
        double p99 = latencies.isEmpty() ? Double.NaN : latencies.get((int) Math.floor(0.99 * (latencies.size() - 1)));
        List<Integer> versions = new ArrayList<>(new TreeSet<>(alerts.stream().map(Alert::getModelVersion).toList()));
        long drift = (long) detector.metrics().count("anomaly.drift.events");
        Double before = null;
        Double after = null;
        Double afterSwap = null;
        int shift = options.shiftAt();
        if (shift >= 0) {
            int total = source.stream().size();
            int swap = swapIndex < 0 ? total : swapIndex;
            long[] counts = new long[3];
            for (Alert a : alerts) {
                Integer i = indexAt.get(a.getSourcePartition() + "@" + a.getSourceOffset());
                if (i != null) {
                    counts[i < shift ? 0 : a.getModelVersion() == 1 ? 1 : 2]++;
                }
            }
            before = (double) counts[0] / shift;
            after = (double) counts[1] / Math.max(1, swap - shift);
            afterSwap = swapIndex < 0 ? null : (double) counts[2] / Math.max(1, total - swap);
        }
        return new DemoSummary(records, alerts.size(), (long) detector.metrics().count("anomaly.deadletter"), precision, recall, f1,
                records / seconds, p50, p99, versions, drift, report.toString(), before, after, afterSwap);
    }
}
