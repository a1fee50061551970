package dev.anomaly.deploy.demo;

import dev.anomaly.deploy.stack.KafkaEnvironment;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.FeatureContribution;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.release.ReleaseSigning;
import dev.anomaly.schemas.release.SigningKey;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.cli.ConsoleProgress;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.publish.ModelPublisher;
import dev.anomaly.trainer.retrain.RetrainConfig;
import dev.anomaly.trainer.retrain.RetrainJob;
import dev.anomaly.trainer.report.TrainingReport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
    public static final String MODEL_EVENTS = "anomaly-model-events";
    public static final String EPISODES = "anomaly-episodes";
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
        return run(summary -> { });
    }

    /**
     * Runs the story; {@code whileRunning} gets the summary while the detector is still up (to print it, or to keep
     * everything running until the user stops it).
     */
    public DemoSummary run(WhileRunning whileRunning) throws IOException, InterruptedException {
        DemoSource source = options.source();
        // Record timestamps are the broker's append times: an alert's latency splits into producer -> broker and
        // broker -> scored; the producer's own send time is kept by the demo.
        stack.createLogAppendTimeTopic(INPUT, 4);
        stack.createTopic(ALERTS, 1);
        stack.createTopic(DEAD_LETTERS, 1);
        stack.createTopic(DRIFT, 1);
        stack.createTopic(MODEL_EVENTS, 1);
        stack.createTopic(EPISODES, 1);
        stack.createCompactedTopic(MODELS);

        // 1. Train on the history and publish the model.
        out.printf("%nTraining %s on %d historical records of %s%n", options.kind(), source.history().size(), source.description());
        Dataset history = RecordData.toDataset(source.history(), source.spec(), Optional.empty(), "demo history");
        TrainingConfig defaults = TrainingConfig.defaults(ModelFamilies.of(options.kind()), history.width(), (int) (history.rows() * 0.8));
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
        // Releases are signed; the demo makes its own publisher key, and its detector trusts that key alone.
        Path keys = stack.dataDir().resolve("keys");
        String keyId = SigningKey.generate(keys, "publisher");
        SigningKey signingKey = SigningKey.read(keys.resolve("publisher.key"));
        ModelPublisher.publish(ReleaseSigning.sign(ModelPublisher.release(trained.onnx(), ReleaseReason.INITIAL, "demo"), signingKey),
                MODELS, stack.clientConfig());
        // Training is done in this JVM: give its native memory and garbage back before the stream is timed.
        dev.anomaly.trainer.model.NativeMemory.release();
        out.printf("Published %s v1 to topic %s, signed by key %s%n", MODEL_ID, MODELS, keyId);

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
        raw.put(DetectorConfig.MODEL_EVENTS_TOPIC, MODEL_EVENTS);
        // The demo serves a retrained model at once, so that its stretch of the stream is the new model's alone; a detector
        // in production first scores a release in shadow (detector.models.shadow.records, docs/detector.md).
        raw.put(DetectorConfig.SHADOW_RECORDS, "0");
        raw.put(dev.anomaly.detector.episodes.EpisodeSettings.TOPIC, EPISODES);
        raw.put(DetectorConfig.TRUSTED_KEYS, keys.resolve("publisher.pub").toString());
        raw.put(DetectorConfig.HTTP_HOST, "127.0.0.1");
        raw.put(DetectorConfig.HTTP_PORT, "0");
        raw.put("detector.drift.topic", DRIFT);
        // Exactly-once: an alert is readable once its transaction commits, at most a commit interval after it is scored
        // (Kafka Streams' default is 100 ms). At the demo's rate 50 ms costs nothing noticeable and halves that wait.
        raw.put("commit.interval.ms", "50");
        raw.put("detector.drift.window.records", "2000");
        raw.put("detector.drift.min.interval.ms", "10000");
        if (options.shiftAt() >= 0) {
            raw.put("detector.drift.window.records", "1500");
            raw.put("detector.drift.min.interval.ms", "5000");
        }
        // The same environment overrides as 'anomaly detect' (ANOMALY_DETECTOR_X_Y, KAFKA_X_Y), to try settings on the demo.
        raw.putAll(DetectorConfig.withEnvironment(Map.of(), System.getenv()));
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
            r.put(RetrainConfig.SIGNING_KEY_FILE, keys.resolve("publisher.key").toString());
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
            DemoSummary summary = stream(detector, source, report);
            stopRetraining.set(true);
            whileRunning.accept(new Running(summary, detector.httpPort()));
            return summary;
        } finally {
            stopRetraining.set(true);
            if (retrainer != null) {
                retrainer.join(30_000);
            }
        }
    }

    /** What the demo hands over while its detector still runs. */
    public record Running(DemoSummary summary, int httpPort) {
    }

    /** Called with the summary before the detector stops. */
    @FunctionalInterface
    public interface WhileRunning {
        void accept(Running running) throws InterruptedException;
    }

    /** An alert as the demo's consumer received it: when (wall clock) it became readable to a read_committed consumer. */
    record Received(Alert alert, long atMs) {
    }

    /** What the demo knows of each streamed record, by {@code partition@offset}. */
    private record Sent(int index, int label, long createdAt) {
    }

    private DemoSummary stream(DetectorApp detector, DemoSource source, Path report) throws InterruptedException {
        Set<String> warmUp = warmUp(detector, source);
        double base = processed(detector);
        List<Received> alerts = new CopyOnWriteArrayList<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread alertReader = new Thread(() -> readAlerts(alerts, reading, warmUp), "demo-alert-reader");
        alertReader.start();

        // 3. Stream the records at the demo rate, with a few undecodable ones mixed in.
        int total = source.stream().size();
        int main = total - source.afterSwap();
        out.printf("%nStreaming %,d records at up to %,d records/s (%d undecodable ones mixed in) ...%n", main, options.rate(), options.badRecords());
        Map<String, Sent> sent = new ConcurrentHashMap<>();
        int[] swapIndex = {-1};
        int every = options.badRecords() > 0 ? Math.max(1, main / options.badRecords()) : Integer.MAX_VALUE;
        long start = System.nanoTime();
        int bad;
        try (GenericAvroSerde serde = new GenericAvroSerde();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            serde.configure(stack.clientConfig(), false);
            bad = streamRange(detector, source, producer, serde, 0, main, every, sent, swapIndex, alerts);
            if (source.afterSwap() > 0) {
                if (swapIndex[0] < 0) {
                    awaitSwap(detector);
                    swapIndex[0] = main;
                }
                out.printf("%nStreaming %,d more records of the new regime to show the retrained model at work ...%n", source.afterSwap());
                bad += streamRange(detector, source, producer, serde, main, total, Integer.MAX_VALUE, sent, swapIndex, alerts);
            }
            producer.flush();
        }
        long expected = (long) base + total + bad;
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
        long alertCount = (long) detector.metrics().count("anomaly.alerts") - warmUpAlerts;
        long waitAlerts = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (alerts.size() < alertCount && System.nanoTime() < waitAlerts) {
            Thread.sleep(50); // the alert reader catches up with committed alerts
        }
        reading.set(false);
        alertReader.join(5_000);
        progress(detector, total, total, alerts.size());
        out.println("  " + streamsTimes(detector));
        return summary(detector, source, alerts, sent, seconds, report, swapIndex[0]);
    }

    /** Streams records {@code [from, to)} of the source at the demo's rate; returns how many bad records it mixed in. */
    private int streamRange(DetectorApp detector, DemoSource source, KafkaProducer<byte[], byte[]> producer, GenericAvroSerde serde,
                            int from, int to, int every, Map<String, Sent> sent, int[] swapIndex, List<Received> alerts) throws InterruptedException {
        long start = System.nanoTime();
        long lastProgress = System.nanoTime();
        int bad = 0;
        for (int i = from; i < to; i++) {
            pace(start, i - from);
            byte[] key = source.streamKeys().get(i).getBytes(StandardCharsets.UTF_8);
            Sent record = new Sent(i, source.streamLabels().get(i), System.currentTimeMillis());
            producer.send(new ProducerRecord<>(INPUT, null, record.createdAt(), key, serde.serializer().serialize(INPUT, source.stream().get(i))),
                    (m, e) -> {
                        if (m != null) {
                            sent.put(m.partition() + "@" + m.offset(), record);
                        }
                    });
            if (i % every == every - 1) {
                producer.send(new ProducerRecord<>(INPUT, key, ("{\"oops\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
                bad++;
            }
            if (System.nanoTime() - lastProgress > 1_000_000_000L) {
                progress(detector, i + 1, source.stream().size(), alerts.size());
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
        return bad;
    }

    /** The drift story: waits (bounded) for the retraining job's model to be served, saying what it waits for. */
    private void awaitSwap(DetectorApp detector) throws InterruptedException {
        out.printf("  waiting for the retrained model (drift events so far: %.0f; at most %d s; the demo serves it at once,"
                + " without the shadow trial a production detector gives it first) ...%n",
                detector.metrics().count("anomaly.drift.events"), SWAP_WAIT.toSeconds());
        long deadline = System.nanoTime() + SWAP_WAIT.toNanos();
        long lastWord = System.nanoTime();
        while (detector.models().metadata().map(m -> m.version() <= 1).orElse(true)) {
            if (System.nanoTime() > deadline) {
                out.printf("  no retrained model within %d s: the summary shows v1 only (the retraining job logs why)%n", SWAP_WAIT.toSeconds());
                return;
            }
            if (System.nanoTime() - lastWord > 10_000_000_000L) {
                out.printf("  ... still waiting (drift events: %.0f)%n", detector.metrics().count("anomaly.drift.events"));
                lastWord = System.nanoTime();
            }
            Thread.sleep(200); // the swap happens on the detector's watcher thread
        }
        out.printf("  >>> the detector now serves %s v%d%n", MODEL_ID, detector.models().metadata().get().version());
    }

    private static final Duration SWAP_WAIT = Duration.ofSeconds(180);

    /** Alerts the detector raised on the warm-up records (not shown, not counted). */
    private long warmUpAlerts;
    /** Records scored before the measured stream (the warm-up). */
    private double scoredBefore;

    /**
     * Streams history records (again and again if need be) at the demo's rate for {@value #WARM_UP_SECONDS} s and waits
     * until the detector has handled them, so that the measured stream meets warm code, as a running service would: in
     * a fresh JVM the first seconds of records wait a few hundred milliseconds while the producer's, broker's and
     * detector's hot paths compile — at the same rate, since lingering small batches take other paths than full ones.
     * Returns their positions (their alerts are neither shown nor counted).
     */
    private Set<String> warmUp(DetectorApp detector, DemoSource source) throws InterruptedException {
        int n = Math.max(1_000, options.rate() * WARM_UP_SECONDS);
        out.printf("Warming up the detector: %,d history records at %,d records/s (not counted) ...%n", n, options.rate());
        double before = processed(detector);
        double alertsBefore = detector.metrics().count("anomaly.alerts");
        Set<String> positions = ConcurrentHashMap.newKeySet();
        try (GenericAvroSerde serde = new GenericAvroSerde();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
            serde.configure(stack.clientConfig(), false);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                pace(start, i);
                producer.send(new ProducerRecord<>(INPUT, null, System.currentTimeMillis(), ("warm-up-" + i % 10).getBytes(StandardCharsets.UTF_8),
                        serde.serializer().serialize(INPUT, source.history().get(i % source.history().size()))), (m, e) -> {
                    if (m != null) {
                        positions.add(m.partition() + "@" + m.offset());
                    }
                });
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (processed(detector) < before + n && System.nanoTime() < deadline) {
            Thread.sleep(50); // the detector's own counters say when it is done
        }
        warmUpAlerts = (long) (detector.metrics().count("anomaly.alerts") - alertsBefore);
        scoredBefore = detector.metrics().count("anomaly.records.scored");
        return positions;
    }

    private static final int WARM_UP_SECONDS = 3;

    /** Sleeps until record {@code i} is due at the demo's rate (without spinning a core the detector needs). */
    private void pace(long start, int i) throws InterruptedException {
        long ahead = start + (long) (i * 1e9 / options.rate()) - System.nanoTime();
        if (ahead > 1_000_000) {
            Thread.sleep(ahead / 1_000_000);
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5); // a few records per request: on 2 cores, requests cost more CPU than they save
        return config;
    }

    /** The stream threads' own account of their time: commits (exactly-once: each one a transaction), polls. */
    static String streamsTimes(DetectorApp detector) {
        Map<String, Double> m = new HashMap<>();
        detector.streams().metrics().forEach((name, metric) -> {
            if (name.group().equals("stream-thread-metrics") && metric.metricValue() instanceof Double d && !d.isNaN()) {
                m.merge(name.name(), d, Math::max);
            }
        });
        return String.format("stream thread: commit every %.0f ms on average, taking %.1f ms (max %.0f ms); poll %.1f ms (max %.0f ms)",
                1000 / Math.max(1e-9, m.getOrDefault("commit-rate", 0.0)), m.getOrDefault("commit-latency-avg", Double.NaN),
                m.getOrDefault("commit-latency-max", Double.NaN), m.getOrDefault("poll-latency-avg", Double.NaN),
                m.getOrDefault("poll-latency-max", Double.NaN));
    }

    private static double processed(DetectorApp d) {
        return d.metrics().count("anomaly.records.scored") + d.metrics().count("anomaly.deadletter");
    }

    private void progress(DetectorApp detector, int produced, int total, int alerts) {
        out.printf("  produced %,d/%,d  scored %,.0f  dead-lettered %,.0f  alerts %,d%n", produced, total,
                detector.metrics().count("anomaly.records.scored") - scoredBefore, detector.metrics().count("anomaly.deadletter"), alerts);
    }

    private void readAlerts(List<Received> alerts, AtomicBoolean reading, Set<String> warmUp) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "anomaly-demo-alerts");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // An alert consumer that waits on the broker at most 50 ms (Kafka's default is 500 ms): the demo shows the
        // detector's latency, not the consumer's fetch wait.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        try (SpecificAvroSerde<Alert> serde = new SpecificAvroSerde<>(Alert.class)) {
            serde.configure(config, false);
            try (KafkaConsumer<String, Alert> consumer = new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
                consumer.subscribe(List.of(ALERTS));
                while (reading.get()) {
                    for (ConsumerRecord<String, Alert> r : consumer.poll(Duration.ofMillis(200))) {
                        if (warmUp.contains(r.value().getSourcePartition() + "@" + r.value().getSourceOffset())) {
                            continue;
                        }
                        alerts.add(new Received(r.value(), System.currentTimeMillis()));
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

    private DemoSummary summary(DetectorApp detector, DemoSource source, List<Received> received, Map<String, Sent> sent,
                                double seconds, Path report, int swapIndex) {
        List<Alert> alerts = received.stream().map(Received::alert).toList();
        Map<String, Long> sentAt = new HashMap<>();
        sent.forEach((at, s) -> sentAt.put(at, s.createdAt()));
        Latency latency = Latency.of(received, sentAt);
        List<Integer> versions = new ArrayList<>(new TreeSet<>(alerts.stream().map(Alert::getModelVersion).toList()));
        long drift = (long) detector.metrics().count("anomaly.drift.events");
        int total = source.stream().size();
        int shift = options.shiftAt();
        List<DemoSummary.Phase> phases = new ArrayList<>();
        if (shift < 0) {
            phases.add(phase("all records", 0, total, alerts, sent));
        } else {
            int swap = swapIndex < 0 ? total : swapIndex;
            phases.add(phase("regime A, v1", 0, shift, alerts, sent));
            phases.add(phase("regime B, v1 (before the retrained model)", shift, swap, alerts, sent));
            if (swapIndex >= 0) {
                phases.add(phase("regime B, retrained model", swap, total, alerts, sent));
            }
        }
        DemoSummary.Phase all = phase("all records", 0, total, alerts, sent);
        return new DemoSummary(sent.size(), alerts.size(), (long) detector.metrics().count("anomaly.deadletter"), all.precision(), all.recall(),
                all.f1(), sent.size() / seconds, latency.total().p50(), latency.total().p99(), latency, versions, drift, report.toString(),
                shift < 0 ? null : phases.get(0).alertRate(), shift < 0 ? null : phases.get(1).alertRate(),
                swapIndex < 0 || shift < 0 ? null : phases.get(2).alertRate(), phases);
    }

    /** Precision, recall and alert rate of the records streamed with index in {@code [from, to)}. */
    private static DemoSummary.Phase phase(String name, int from, int to, List<Alert> alerts, Map<String, Sent> sent) {
        long records = sent.values().stream().filter(s -> s.index() >= from && s.index() < to).count();
        long positives = sent.values().stream().filter(s -> s.index() >= from && s.index() < to && s.label() == 1).count();
        long flagged = 0;
        long tp = 0;
        java.util.Set<Integer> alertVersions = new TreeSet<>();
        for (Alert a : alerts) {
            Sent s = sent.get(a.getSourcePartition() + "@" + a.getSourceOffset());
            if (s != null && s.index() >= from && s.index() < to) {
                flagged++;
                tp += s.label();
                alertVersions.add(a.getModelVersion());
            }
        }
        double precision = flagged == 0 ? 0 : (double) tp / flagged;
        double recall = positives == 0 ? 0 : (double) tp / positives;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new DemoSummary.Phase(name, new ArrayList<>(alertVersions), records, flagged, records == 0 ? 0 : (double) flagged / records,
                precision, recall, f1);
    }
}
