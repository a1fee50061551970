package dev.anomaly.deploy.bench;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.model.OnnxScoringModel;
import dev.anomaly.schemas.model.ScoringOptions;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.bench.ProcessStats;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The detector end to end on the embedded stack: N synthetic records (F numeric features, ~1 % anomalous) pre-loaded
 * into a 4-partition topic, then, one after another, Streams applications read the whole topic, Avro in and out
 * through the registry — a pass-through, the no-op "limit", and the detector with several batch sizes — each in its
 * own JVM ({@link DetectorBenchWorker}) so that its CPU time and peak RSS are its own, and after a warm-up pass in that
 * JVM so that JIT compilation is not what is measured; the broker's CPU time is this JVM's over the same interval.
 * After the backlog, each application gets input at half the rate it reached, and
 * produce → output latency is measured ({@link LatencyProbe}).
 */
public final class DetectorThroughputBenchmark {
    private static final String INPUT = "bench-input";
    private static final int LATENCY_POOL = 100_000;

    /** What to run. */
    public record Options(int records, int warmupRecords, int passes, int features, List<Integer> batchSizes, int scoringThreads, List<String> guarantees, List<Integer> threads,
                          double latencySeconds, List<Double> latencyFractions, List<Double> latencyRates, Path latencyTrace,
                          List<String> applications, List<String> workerJvmOptions, Path stackDir, Map<String, String> streamsProperties) {
    }

    /** One latency phase: its name in the figures and its input rate. */
    private record LatencyPhase(String name, double rate) {
    }

    /** Records/s and CPU seconds (the application's JVM, the broker's) over part of the backlog. */
    record Pass(double rate, double appCpu, double brokerCpu, double jitSeconds) {
    }

    /**
     * One application's figures from its median measured pass (by whole-pass rate): over the whole backlog, and over
     * its second half; {@code passRates} lists every measured pass's rate in order.
     */
    record Run(Pass whole, Pass steady, List<Double> passRates, double peakRssMb, Map<String, LatencyProbe.Result> latency) {
        double rate() {
            return whole.rate();
        }
    }

    private DetectorThroughputBenchmark() {
    }

    public static Map<String, Object> run(Options o, PrintStream log) throws IOException, InterruptedException {
        Map<String, Object> out = new LinkedHashMap<>();
        Path dir = Files.createTempDirectory("anomaly-bench-");
        LocalStack.Options stackOptions = LocalStack.Options.defaults();
        if (o.stackDir() != null) {
            stackOptions = new LocalStack.Options(Files.createTempDirectory(Files.createDirectories(o.stackDir()), "stack-"), 0, 0,
                    stackOptions.startTimeout());
        }
        try (LocalStack stack = LocalStack.start(stackOptions)) {
            stack.createTopic(INPUT, 4);
            log.printf("Training the model (AE, %d features) ...%n", o.features());
            byte[] onnx = model(o.features());
            Path modelFile = dir.resolve("model.onnx");
            Files.write(modelFile, onnx);
            log.printf("Pre-loading %,d records of %d features ...%n", o.records(), o.features());
            List<byte[]> pool = new ArrayList<>();
            BitSet flagged = preload(stack, o, onnx, pool);
            Path flaggedFile = dir.resolve("flagged.bin");
            Files.write(flaggedFile, flagged.toByteArray());
            log.printf("The model flags %,d of %,d records (%.2f %%)%n", flagged.cardinality(), o.records(),
                    100.0 * flagged.cardinality() / o.records());
            out.put("flagged_fraction", (double) flagged.cardinality() / o.records());
            if (o.latencySeconds() > 0) {
                log.println("Warming up the broker's produce and fetch paths for the latency measurements (10 s) ...");
                stack.createTopic("bench-warmup", 4);
                LatencyProbe.run(stack.clientConfig(), "bench-warmup", "bench-warmup", pool, 20_000, 10, null, 0, null);
            }
            log.printf("records/s, CPU seconds (application JVM, broker) and JIT compile seconds: the median of %d passes over the whole"
                    + " pre-loaded backlog, after warm-up passes (at least %,d records, then until the JIT is quiet) in the same JVM, then over the backlog's second half (steady); then produce -> output latency with input"
                    + " at fractions of the whole-pass rate%n", o.passes(), o.warmupRecords());
            log.printf("%-22s %-16s %12s %10s %10s %7s %12s %10s %10s %9s %9s %9s%n", "guarantee/threads", "application", "records/s",
                    "app CPU s", "broker CPU", "JIT s", "steady rec/s", "app CPU s", "broker CPU", "RSS MB", "p50 ms", "p99 ms");
            int[] run = {0};
            for (int threads : o.threads()) {
                for (String guarantee : o.guarantees()) {
                    String label = guarantee + "/" + threads + "t";
                    Map<String, String> base = new HashMap<>(DetectorConfig.latencyDefaults(5)); // as the detector, for all
                    base.put("bootstrap.servers", stack.bootstrapServers());
                    base.put("schema.registry.url", stack.schemaRegistryUrl());
                    base.put("processing.guarantee", guarantee);
                    base.put("num.stream.threads", Integer.toString(threads));
                    base.putAll(o.streamsProperties()); // the user's tuning, for every application alike

                    if (o.applications().contains("passthrough")) {
                        Map<String, String> pass = new HashMap<>(base);
                        String passOut = "bench" + (++run[0]) + "-out";
                        stack.createTopic(passOut, 4);
                        pass.put("bench.output", passOut);
                        put(out, "passthrough." + label, measure(stack, "passthrough", pass, passOut, run[0], o, pool, dir, label, log));
                    }
                    Run limit = null;
                    if (o.applications().contains("limit")) {
                        Map<String, String> lim = new HashMap<>(base);
                        String limOut = "bench" + (++run[0]) + "-alerts";
                        stack.createTopic(limOut, 1);
                        lim.put("bench.output", limOut);
                        lim.put("bench.features", Integer.toString(o.features()));
                        lim.put("bench.flagged", flaggedFile.toString());
                        Run r = measure(stack, "limit", lim, limOut, run[0], o, pool, dir, label, log);
                        put(out, "limit." + label, r);
                        limit = r;
                    }
                    if (!o.applications().contains("detector")) {
                        continue;
                    }
                    Run perRecord = null;
                    Run best = null;
                    for (int batch : o.batchSizes()) {
                        String prefix = "bench" + (++run[0]);
                        stack.createTopic(prefix + "-alerts", 1);
                        stack.createTopic(prefix + "-dlq", 1);
                        Map<String, String> det = new HashMap<>(base);
                        det.put("detector.alert.topic", prefix + "-alerts");
                        det.put("detector.deadletter.topic", prefix + "-dlq");
                        det.put("detector.models.topic", prefix + "-models-absent");
                        det.put("detector.model.path", modelFile.toString());
                        det.put("detector.drift.enabled", "false");
                        det.put("detector.http.host", "127.0.0.1");
                        det.put("detector.http.port", "0");
                        det.put("detector.batch.size", Integer.toString(batch));
                        det.put("detector.scoring.threads", Integer.toString(o.scoringThreads()));
                        Run detector = measure(stack, "detector", det, prefix + "-alerts", run[0], o, pool, dir,
                                label + " batch " + batch, log);
                        put(out, "detector." + label + ".batch" + batch, detector);
                        if (batch == 1) {
                            perRecord = detector;
                        } else if (best == null || detector.rate() > best.rate()) {
                            best = detector;
                        }
                    }
                    double overLimit = ratio(best, limit, Run::whole);
                    double overPerRecord = ratio(best, perRecord, Run::whole);
                    double steadyOverLimit = ratio(best, limit, Run::steady);
                    double steadyOverPerRecord = ratio(best, perRecord, Run::steady);
                    out.put("ratio." + label + ".detector_over_limit", overLimit);
                    out.put("ratio." + label + ".detector_over_per_record", overPerRecord);
                    out.put("ratio." + label + ".steady.detector_over_limit", steadyOverLimit);
                    out.put("ratio." + label + ".steady.detector_over_per_record", steadyOverPerRecord);
                    log.printf("%-22s best batched (by whole-pass rate) / limit = %.2f (steady %.2f), / per-record = %.2f (steady %.2f)%n",
                            label, overLimit, steadyOverLimit, overPerRecord, steadyOverPerRecord);
                }
            }
            out.put("broker_process_peak_rss_mb", ProcessStats.peakRssMegabytes());
        } finally {
            deleteQuietly(dir);
            if (o.stackDir() != null) {
                deleteQuietly(stackOptions.dataDir());
            }
        }
        return out;
    }

    /** One measured pass: over the whole backlog and over its second half. */
    private record MeasuredPass(Pass whole, Pass steady) {
    }

    /** Reads one pass's FIRST, HALF and DONE lines, sampling the worker's and the broker's CPU at each. */
    private static MeasuredPass measurePass(BufferedReader lines, long workerPid, long brokerPid, long records, Path workerLog) throws IOException {
        expect(lines, "FIRST", workerLog);
        double appCpu0 = ProcessStats.cpuSeconds(workerPid);
        double brokerCpu0 = ProcessStats.cpuSeconds(brokerPid);
        String[] half = expect(lines, "HALF", workerLog).split(" ");
        double appCpuHalf = ProcessStats.cpuSeconds(workerPid);
        double brokerCpuHalf = ProcessStats.cpuSeconds(brokerPid);
        String[] done = expect(lines, "DONE", workerLog).split(" ");
        double appCpuDone = ProcessStats.cpuSeconds(workerPid);
        double brokerCpuDone = ProcessStats.cpuSeconds(brokerPid);
        Pass whole = new Pass(records / Double.parseDouble(done[2]), appCpuDone - appCpu0, brokerCpuDone - brokerCpu0, jit(done));
        double secondHalf = Double.parseDouble(done[2]) - Double.parseDouble(half[2]);
        Pass steady = new Pass(secondHalf > 0 ? (Long.parseLong(done[1]) - Long.parseLong(half[1])) / secondHalf : Double.NaN,
                appCpuDone - appCpuHalf, brokerCpuDone - brokerCpuHalf, jit(done) - jit(half));
        return new MeasuredPass(whole, steady);
    }

    /** The JIT compile seconds a worker reports after its HALF/DONE figures (NaN from a worker that does not). */
    private static double jit(String[] line) {
        return line.length > 3 ? Double.parseDouble(line[3]) : Double.NaN;
    }

    private static double ratio(Run a, Run b, java.util.function.Function<Run, Pass> pass) {
        return a == null || b == null ? Double.NaN : pass.apply(a).rate() / pass.apply(b).rate();
    }

    private static void put(Map<String, Object> out, String prefix, Run r) {
        out.put(prefix + ".records_per_second", r.whole().rate());
        out.put(prefix + ".app_cpu_seconds", r.whole().appCpu());
        out.put(prefix + ".broker_cpu_seconds", r.whole().brokerCpu());
        out.put(prefix + ".steady.records_per_second", r.steady().rate());
        out.put(prefix + ".steady.app_cpu_seconds", r.steady().appCpu());
        out.put(prefix + ".steady.broker_cpu_seconds", r.steady().brokerCpu());
        out.put(prefix + ".jit_seconds", r.whole().jitSeconds());
        out.put(prefix + ".pass_records_per_second", r.passRates());
        out.put(prefix + ".steady.jit_seconds", r.steady().jitSeconds());
        out.put(prefix + ".app_peak_rss_mb", r.peakRssMb());
        r.latency().forEach((phase, l) -> {
            String at = prefix + ".latency_at_" + phase;
            out.put(at + ".input_rate", l.achievedRate());
            out.put(at + ".p50_ms", l.p50());
            out.put(at + ".p99_ms", l.p99());
            out.put(at + ".max_ms", l.max());
            out.put(at + ".samples", l.samples());
            out.put(at + ".caught_up", l.caughtUp());
            out.put(at + ".app_cpu_cores", l.appCores());
            out.put(at + ".broker_and_load_generator_cpu_cores", l.brokerCores());
        });
    }

    /** Starts one worker JVM, measures its pass over the backlog, then its latency at half that rate. */
    private static Run measure(LocalStack stack, String kind, Map<String, String> config, String output, int run, Options o,
                               List<byte[]> pool, Path dir, String label, PrintStream log) throws IOException, InterruptedException {
        config.put("application.id", "bench-" + kind + "-" + run);
        config.put("state.dir", dir.resolve("state" + run).toString());
        Path file = dir.resolve("run" + run + ".properties");
        Path workerLog = dir.getParent().resolve("anomaly-bench-run" + run + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(o.workerJvmOptions());
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null) {
            command.add("-Dlogback.configurationFile=" + logback);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DetectorBenchWorker.class.getName(), kind, file.toString(),
                Integer.toString(o.records()), Integer.toString(o.warmupRecords()), Integer.toString(o.passes())));
        // Latency phases write to a topic of this run's own, which the application reads besides the pre-loaded one.
        String live = "bench" + run + "-live";
        stack.createTopic(live, 4);
        if (kind.equals("detector")) {
            config.put("detector.input.topics", INPUT + "," + live);
        } else {
            config.put("bench.input", INPUT + "," + live);
        }
        Properties p = new Properties();
        p.putAll(config);
        try (OutputStream os = Files.newOutputStream(file)) {
            p.store(os, null);
        }
        Process worker = new ProcessBuilder(command).redirectError(workerLog.toFile()).start();
        long self = ProcessHandle.current().pid();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
            List<MeasuredPass> passes = new ArrayList<>();
            for (int pass = 0; pass < o.passes(); pass++) {
                passes.add(measurePass(lines, worker.pid(), self, o.records(), workerLog));
            }
            List<Double> passRates = passes.stream().map(m -> m.whole().rate()).toList();
            MeasuredPass median = passes.stream().sorted(java.util.Comparator.comparingDouble(m -> m.whole().rate())).toList()
                    .get(passes.size() / 2);
            Pass whole = median.whole();
            Pass steady = median.steady();
            double rate = whole.rate();
            AtomicLong count = new AtomicLong(o.records());
            Thread counter = new Thread(() -> {
                try {
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.startsWith("COUNT ")) {
                            count.set(Long.parseLong(line.substring(6).trim()));
                        }
                    }
                } catch (IOException e) {
                    // worker gone
                }
            }, "bench-worker-count");
            counter.setDaemon(true);
            counter.start();
            // Lowest rate first: an overloaded phase leaves a backlog, and nothing after it would mean anything.
            List<LatencyPhase> phases = o.latencyRates().isEmpty()
                    ? o.latencyFractions().stream().map(f -> new LatencyPhase(f + "_of_max", rate * f)).toList()
                    : o.latencyRates().stream().map(r -> new LatencyPhase(String.format(java.util.Locale.ROOT, "%.0f_per_second", r), r)).toList();
            Map<String, LatencyProbe.Result> latency = new LinkedHashMap<>();
            long backlog = o.records(); // the pre-loaded topic only ever holds these; each phase adds what it sent
            if (o.latencySeconds() > 0) {
                for (LatencyPhase phase : phases.stream().sorted(java.util.Comparator.comparingDouble(LatencyPhase::rate)).toList()) {
                    double app0 = ProcessStats.cpuSeconds(worker.pid());
                    double self0 = ProcessStats.cpuSeconds(self);
                    long t0 = System.nanoTime();
                    Path trace = o.latencyTrace() == null ? null
                            : Files.createDirectories(o.latencyTrace()).resolve("run" + run + "-" + kind + "-" + phase.name() + ".csv");
                    LatencyProbe.Result l = LatencyProbe.run(stack.clientConfig(), live, output, pool, phase.rate(), o.latencySeconds(),
                            count::get, backlog, trace);
                    double wall = (System.nanoTime() - t0) / 1e9;
                    latency.put(phase.name(), l.withCpu((ProcessStats.cpuSeconds(worker.pid()) - app0) / wall,
                            (ProcessStats.cpuSeconds(self) - self0) / wall));
                    backlog += l.sent();
                    if (!l.caughtUp()) {
                        break;
                    }
                }
            }
            double rss = ProcessStats.peakRssMegabytes(worker.pid());
            log.printf("%-22s %-16s %,12.0f %10.1f %10.1f %7.1f %,12.0f %10.1f %10.1f %9.0f %19s(passes: %s)%n",
                    label.contains(" batch") ? label.substring(0, label.indexOf(' ')) : label,
                    label.contains(" batch") ? "detector b" + label.substring(label.lastIndexOf(' ') + 1) : kind,
                    whole.rate(), whole.appCpu(), whole.brokerCpu(), whole.jitSeconds(), steady.rate(), steady.appCpu(), steady.brokerCpu(), rss, "",
                    passRates.stream().map(r -> String.format(java.util.Locale.ROOT, "%,.0f", r)).collect(java.util.stream.Collectors.joining(" ")));
            latency.forEach((phase, l) -> log.printf("%-22s %-16s %,12.0f %10s %10s %7s %12s %10s %10s %9s %9.0f %9.0f   (CPU cores: app %.2f, broker + load %.2f)%s%n",
                    "", "  at " + phase.replace('_', ' '), l.achievedRate(), "", "", "", "", "", "", "", l.p50(), l.p99(), l.appCores(), l.brokerCores(),
                    l.caughtUp() ? "" : "  OVERLOADED: had not caught up 30 s after the input stopped"));
            return new Run(whole, steady, passRates, rss, latency);
        } finally {
            worker.getOutputStream().close(); // the worker stops when its stdin closes
            if (!worker.waitFor(60, TimeUnit.SECONDS)) {
                worker.destroyForcibly();
            }
            // The run's input, output and dead-letter topics: a full benchmark otherwise writes some 20 GB (its latency
            // phases alone send millions of records per run), which filled a RAM-backed --stack-dir.
            stack.deleteTopicsStartingWith("bench" + run + "-");
        }
    }

    private static String expect(BufferedReader lines, String prefix, Path workerLog) throws IOException {
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("Benchmark worker ended before '" + prefix + "'; see " + workerLog);
    }

    /** Produces the records; returns which ones the model flags (by sequence number) and keeps the first ones' bytes. */
    private static BitSet preload(LocalStack stack, Options o, byte[] onnx, List<byte[]> pool) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        // Produced as the latency phases produce, so the broker's code for that is warm.
        config.putAll(LatencyProbe.LOAD_PRODUCER);
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config, false);
        SyntheticReadings readings = new SyntheticReadings(o.features(), 0.01, 77);
        BitSet flagged = new BitSet(o.records());
        int chunk = 4096;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
             OnnxScoringModel model = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            FeatureSpec spec = model.metadata().featureSpec();
            int w = model.width();
            float[] rows = new float[chunk * w];
            for (int from = 0; from < o.records(); from += chunk) {
                int n = Math.min(chunk, o.records() - from);
                for (int i = 0; i < n; i++) {
                    GenericRecord r = readings.next();
                    spec.extractInto(r, rows, i * w);
                    byte[] value = serde.serializer().serialize(INPUT, r);
                    if (from + i < LATENCY_POOL) {
                        pool.add(value);
                    }
                    producer.send(new ProducerRecord<>(INPUT, SyntheticReadings.key(from + i), value));
                }
                float[] scores = model.score(rows, n).score();
                for (int i = 0; i < n; i++) {
                    if (scores[i] > model.metadata().threshold()) {
                        flagged.set(from + i);
                    }
                }
            }
            producer.flush();
        }
        return flagged;
    }

    private static byte[] model(int features) {
        SyntheticReadings history = new SyntheticReadings(features, 0.0, 5);
        int rows = 20_000;
        FeatureSpec spec = SyntheticReadings.spec(features);
        float[] values = new float[rows * features];
        for (int i = 0; i < rows; i++) {
            spec.extractInto(history.next(), values, i * features);
        }
        Dataset data = new Dataset(spec, values, rows, Optional.empty(), "bench history");
        return TrainingJob.run(data, TrainingConfig.defaults(ModelKind.AE, features, rows).withEpochs(20), "bench", 1,
                ProgressListener.NONE).onnx();
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // temporary directory: the OS cleans it eventually
        }
    }
}
