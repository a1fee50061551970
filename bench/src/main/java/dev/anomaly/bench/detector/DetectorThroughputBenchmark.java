package dev.anomaly.bench.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.bench.ProcessStats;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.TrainingConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The detector end to end on the embedded stack: N synthetic records (F numeric features, ~1 % anomalous) pre-loaded
 * into a 4-partition topic, then Streams applications read the whole topic, Avro in and out through the registry — a
 * pass-through, the no-op "limit", and the detector with several batch sizes — each in its own JVM
 * ({@link DetectorBenchWorker}) so that its CPU time and peak RSS are its own, and after a warm-up in that JVM so that
 * JIT compilation is not what is measured; the broker's CPU time is this JVM's over the same interval. The measured
 * passes go round the applications (one pass of each, then the next round), so that the ratios compare passes run
 * side by side. Then each application gets live input: a bisection finds the highest rate it keeps up with while the
 * load generator and the broker share the machine (or the backlog rate is taken as its maximum), and produce → output
 * latency is measured at fractions of that rate ({@link LatencyProbe}).
 */
public final class DetectorThroughputBenchmark {
    private static final String INPUT = "bench-input";
    private static final int LATENCY_POOL = 100_000;

    /** Bisection steps of the sustained-rate search: the rate is found to 1/16 of the backlog rate. */
    private static final int SEARCH_STEPS = 4;
    /** A search phase was kept up with if everything sent had been processed this soon after the input stopped. */
    private static final double KEPT_UP_DRAIN_MS = 500;

    /** What the latency fractions are fractions of. */
    public enum LatencyBasis {
        /** The highest live input rate the application kept up with, found by bisection under live load. */
        SUSTAINED,
        /** The rate at which the application read the pre-loaded backlog (its median measured pass). */
        BACKLOG
    }

    /** What to run. */
    public record Options(int records, int warmupRecords, int passes, int features, List<Integer> batchSizes, Integer scoringThreads, List<String> guarantees, List<Integer> threads,
                          double latencySeconds, LatencyBasis latencyBasis, List<Double> latencyFractions, List<Double> latencyRates, Path latencyTrace,
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
    record Run(Pass whole, Pass steady, List<Double> passRates, double peakRssMb, double sustainedRate, Map<String, LatencyProbe.Result> latency) {
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
                    + " pre-loaded backlog (in rounds: one pass of each application per round), after warm-up passes (at least %,d records, then until the JIT is quiet) in the same JVM,"
                    + " then over the backlog's second half (steady); then produce -> output latency with input at fractions of the %s%n",
                    o.passes(), o.warmupRecords(), !o.latencyRates().isEmpty() ? "given rates"
                            : o.latencyBasis() == LatencyBasis.SUSTAINED ? "sustained live rate (bisection search first)" : "whole-pass rate");
            log.printf("%-22s %-16s %12s %10s %10s %7s %12s %10s %10s %9s %9s %9s%n", "guarantee/threads", "application", "records/s",
                    "app CPU s", "broker CPU", "JIT s", "steady rec/s", "app CPU s", "broker CPU", "RSS MB", "p50 ms", "p99 ms");
            int run = 0;
            long self = ProcessHandle.current().pid();
            for (int threads : o.threads()) {
                for (String guarantee : o.guarantees()) {
                    String label = guarantee + "/" + threads + "t";
                    Map<String, String> base = new HashMap<>(DetectorConfig.latencyDefaults(5)); // as the detector, for all
                    base.put("bootstrap.servers", stack.bootstrapServers());
                    base.put("schema.registry.url", stack.schemaRegistryUrl());
                    base.put("processing.guarantee", guarantee);
                    base.put("num.stream.threads", Integer.toString(threads));
                    base.putAll(o.streamsProperties()); // the user's tuning, for every application alike

                    Map<String, Run> runs = new LinkedHashMap<>(); // by the figures' name prefix, e.g. "limit.at_least_once/1t"
                    Map<String, BenchWorkerProcess> workers = new LinkedHashMap<>(); // by that prefix too; until stopped
                    try {
                        if (o.applications().contains("passthrough")) {
                            Map<String, String> pass = new HashMap<>(base);
                            String passOut = "bench" + (++run) + "-out";
                            stack.createTopic(passOut, 4);
                            pass.put("bench.output", passOut);
                            workers.put("passthrough." + label, startWorker(stack, "passthrough", "pass-through", run, pass, passOut, o, dir, log, label));
                        }
                        if (o.applications().contains("limit")) {
                            Map<String, String> lim = limitConfig(stack, base, ++run, o, flaggedFile);
                            workers.put("limit." + label, startWorker(stack, "limit", "limit", run, lim, lim.get("bench.output"), o, dir, log, label));
                        }
                        if (o.applications().contains("limit-model")) {
                            Map<String, String> lim = limitConfig(stack, base, ++run, o, flaggedFile);
                            lim.put("bench.model", modelFile.toString());
                            int batch = o.batchSizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
                            lim.put("bench.batch", Integer.toString(batch));
                            workers.put("limit_model." + label, startWorker(stack, "limit-model", "limit+model b" + batch, run, lim,
                                    lim.get("bench.output"), o, dir, log, label));
                        }
                        if (o.applications().contains("detector")) {
                            for (int batch : o.batchSizes()) {
                                String prefix = "bench" + (++run);
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
                                if (o.scoringThreads() != null) {
                                    det.put("detector.scoring.threads", Integer.toString(o.scoringThreads()));
                                }
                                workers.put("detector." + label + ".batch" + batch,
                                        startWorker(stack, "detector", "detector b" + batch, run, det, prefix + "-alerts", o, dir, log, label));
                            }
                        }
                        // Round by round through the applications: a slow spell of this shared machine then falls on
                        // one round of all of them rather than on all passes of one.
                        for (int round = 1; round <= o.passes(); round++) {
                            for (BenchWorkerProcess w : workers.values()) {
                                BenchWorkerProcess.MeasuredPass m = w.pass(o.records(), self);
                                log.printf("%-22s %-16s round %d: %,.0f records/s%n", label, w.name(), round, m.whole().rate());
                            }
                        }
                        for (var it = workers.entrySet().iterator(); it.hasNext(); ) {
                            var w = it.next();
                            Run r = latencyAndFinish(stack, w.getValue(), o, pool, self, label, log);
                            runs.put(w.getKey(), r);
                            put(out, w.getKey(), r);
                            stop(stack, w.getValue()); // its JVM would otherwise share the cores with the next one's latency phases
                            it.remove();
                        }
                    } finally {
                        for (BenchWorkerProcess w : workers.values()) {
                            stop(stack, w);
                        }
                    }
                    Run limit = runs.get("limit." + label);
                    Run limitModel = runs.get("limit_model." + label);
                    if (limit != null && limitModel != null) {
                        // The floor: the limit plus only the model's calls, the least work of any design that runs the model.
                        out.put("ratio." + label + ".limit_model_over_limit", ratio(limitModel, limit, Run::whole));
                        out.put("ratio." + label + ".paired.limit_model_over_limit", pairedRatio(limitModel, limit));
                        log.printf("%-22s limit+model / limit = %.2f (median of the per-round ratios %.2f)%n", label,
                                ratio(limitModel, limit, Run::whole), pairedRatio(limitModel, limit));
                    }
                    Run perRecord = runs.get("detector." + label + ".batch1");
                    Run best = runs.entrySet().stream()
                            .filter(e -> e.getKey().startsWith("detector." + label + ".batch") && e.getValue() != perRecord)
                            .map(Map.Entry::getValue).max(java.util.Comparator.comparingDouble(Run::rate)).orElse(null);
                    if (best == null) {
                        continue;
                    }
                    double overLimit = ratio(best, limit, Run::whole);
                    double overPerRecord = ratio(best, perRecord, Run::whole);
                    double pairedOverLimit = pairedRatio(best, limit);
                    double pairedOverPerRecord = pairedRatio(best, perRecord);
                    out.put("ratio." + label + ".detector_over_limit", overLimit);
                    out.put("ratio." + label + ".detector_over_per_record", overPerRecord);
                    out.put("ratio." + label + ".paired.detector_over_limit", pairedOverLimit);
                    out.put("ratio." + label + ".paired.detector_over_per_record", pairedOverPerRecord);
                    if (limitModel != null) {
                        out.put("ratio." + label + ".detector_over_limit_model", ratio(best, limitModel, Run::whole));
                        out.put("ratio." + label + ".paired.detector_over_limit_model", pairedRatio(best, limitModel));
                        log.printf("%-22s best batched / limit+model = %.2f (per round %.2f)%n", label,
                                ratio(best, limitModel, Run::whole), pairedRatio(best, limitModel));
                    }
                    out.put("ratio." + label + ".steady.detector_over_limit", ratio(best, limit, Run::steady));
                    out.put("ratio." + label + ".steady.detector_over_per_record", ratio(best, perRecord, Run::steady));
                    log.printf("%-22s best batched (by median-pass rate) / limit = %.2f (median of the per-round ratios %.2f), "
                                    + "/ per-record = %.2f (per round %.2f)%n",
                            label, overLimit, pairedOverLimit, overPerRecord, pairedOverPerRecord);
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

    private static double ratio(Run a, Run b, java.util.function.Function<Run, Pass> pass) {
        return a == null || b == null ? Double.NaN : pass.apply(a).rate() / pass.apply(b).rate();
    }

    /** The median over rounds of a's pass rate over b's pass in the same round. */
    private static double pairedRatio(Run a, Run b) {
        if (a == null || b == null) {
            return Double.NaN;
        }
        int n = Math.min(a.passRates().size(), b.passRates().size());
        double[] ratios = new double[n];
        for (int i = 0; i < n; i++) {
            ratios[i] = a.passRates().get(i) / b.passRates().get(i);
        }
        java.util.Arrays.sort(ratios);
        return n == 0 ? Double.NaN : n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
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
        if (!Double.isNaN(r.sustainedRate())) {
            out.put(prefix + ".sustained_records_per_second", r.sustainedRate());
        }
        r.latency().forEach((phase, l) -> {
            String at = prefix + ".latency_at_" + phase;
            out.put(at + ".input_rate", l.achievedRate());
            out.put(at + ".p50_ms", l.p50());
            out.put(at + ".p99_ms", l.p99());
            out.put(at + ".max_ms", l.max());
            out.put(at + ".samples", l.samples());
            out.put(at + ".caught_up", l.caughtUp());
            out.put(at + ".drain_ms", l.drainMillis());
            out.put(at + ".app_cpu_cores", l.appCores());
            out.put(at + ".broker_and_load_generator_cpu_cores", l.brokerCores());
        });
    }

    /**
     * Stops a worker and deletes its run's input, output and dead-letter topics: a full benchmark otherwise writes some
     * 20 GB (its latency phases alone send millions of records per run), which filled a RAM-backed --stack-dir.
     */
    private static void stop(LocalStack stack, BenchWorkerProcess w) {
        w.close();
        stack.deleteTopicsStartingWith("bench" + w.run() + "-");
    }

    /** The topic a run's latency phases write to, which its application reads besides the pre-loaded one. */
    private static String liveTopic(int run) {
        return "bench" + run + "-live";
    }

    /** The settings of the limit (and of the limit plus the model) of one run, whose alert topic it creates. */
    private static Map<String, String> limitConfig(LocalStack stack, Map<String, String> base, int run, Options o, Path flaggedFile) {
        Map<String, String> lim = new HashMap<>(base);
        String alerts = "bench" + run + "-alerts";
        stack.createTopic(alerts, 1);
        lim.put("bench.output", alerts);
        lim.put("bench.features", Integer.toString(o.features()));
        lim.put("bench.flagged", flaggedFile.toString());
        return lim;
    }

    /** Starts the worker of one application (returning once it has warmed up), with a live input topic of its own. */
    private static BenchWorkerProcess startWorker(LocalStack stack, String kind, String name, int run, Map<String, String> config,
                                                  String output, Options o, Path dir, PrintStream log, String label) throws IOException {
        // Latency phases write to a topic of this run's own, which the application reads besides the pre-loaded one.
        String live = liveTopic(run);
        stack.createTopic(live, 4);
        config.put(kind.equals("detector") ? "detector.input.topics" : "bench.input", INPUT + "," + live);
        log.printf("%-22s %-16s warming up (worker log %s)%n", label, name, dir.getParent().resolve("anomaly-bench-run" + run + ".log"));
        return BenchWorkerProcess.start(kind, name, run, config, output, o.workerJvmOptions(), o.records(), o.warmupRecords(), o.passes(), dir);
    }

    /**
     * After a worker's measured passes: its latency phases at fractions of its sustained (or backlog) rate, or at given
     * rates, and its figures.
     */
    private static Run latencyAndFinish(LocalStack stack, BenchWorkerProcess w, Options o, List<byte[]> pool, long self, String label,
                                        PrintStream log) throws IOException {
        List<BenchWorkerProcess.MeasuredPass> passes = w.passes();
        List<Double> passRates = passes.stream().map(m -> m.whole().rate()).toList();
        BenchWorkerProcess.MeasuredPass median = passes.stream().sorted(java.util.Comparator.comparingDouble(m -> m.whole().rate())).toList()
                .get(passes.size() / 2);
        Pass whole = median.whole();
        Pass steady = median.steady();
        Map<String, LatencyProbe.Result> latency = new LinkedHashMap<>();
        double sustained = Double.NaN;
        if (o.latencySeconds() > 0) {
            LatencyRun phases = new LatencyRun(stack, w, o, pool, self, w.startLatencyApplication()); // it reads the backlog first
            boolean search = o.latencyRates().isEmpty() && o.latencyBasis() == LatencyBasis.SUSTAINED;
            if (search) {
                sustained = sustainedRate(phases, whole.rate(), latency, label, w.name(), log);
            }
            double basis = search ? sustained : whole.rate();
            String basisName = search ? "sustained" : "max";
            List<LatencyPhase> measured = o.latencyRates().isEmpty()
                    ? o.latencyFractions().stream().map(f -> new LatencyPhase(f + "_of_" + basisName, basis * f)).toList()
                    : o.latencyRates().stream().map(r -> new LatencyPhase(String.format(java.util.Locale.ROOT, "%.0f_per_second", r), r)).toList();
            // Lowest rate first: an overloaded phase leaves a backlog, and nothing after it would mean anything.
            for (LatencyPhase phase : measured.stream().filter(p -> p.rate() > 0).sorted(java.util.Comparator.comparingDouble(LatencyPhase::rate)).toList()) {
                LatencyProbe.Result l = phases.run(phase);
                latency.put(phase.name(), l);
                if (!l.caughtUp()) {
                    break;
                }
            }
        }
        double rss = w.peakRssMegabytes();
        log.printf("%-22s %-16s %,12.0f %10.1f %10.1f %7.1f %,12.0f %10.1f %10.1f %9.0f %19s(passes: %s)%n",
                label, w.name(), whole.rate(), whole.appCpu(), whole.brokerCpu(), whole.jitSeconds(), steady.rate(), steady.appCpu(),
                steady.brokerCpu(), rss, "",
                passRates.stream().map(r -> String.format(java.util.Locale.ROOT, "%,.0f", r)).collect(java.util.stream.Collectors.joining(" ")));
        latency.forEach((phase, l) -> log.printf("%-22s %-16s %,12.0f %10s %10s %7s %12s %10s %10s %9s %9.0f %9.0f   (CPU cores: app %.2f, broker + load %.2f)%s%n",
                "", "  at " + phase.replace('_', ' '), l.achievedRate(), "", "", "", "", "", "", "", l.p50(), l.p99(), l.appCores(), l.brokerCores(),
                l.caughtUp() ? "" : "  OVERLOADED: had not caught up 30 s after the input stopped"));
        return new Run(whole, steady, passRates, rss, sustained, latency);
    }

    /**
     * The highest live input rate the application keeps up with on this machine, with the load generator and the broker
     * beside it: a bisection over fractions of its backlog rate, each step a latency phase that counts as kept up if
     * everything sent was processed within {@value #KEPT_UP_DRAIN_MS} ms of the input stopping and the generator sent at
     * the rate asked. Reading a backlog, nothing else runs; under live input the generator's and the broker's work takes
     * cores from the application, so half of the backlog rate can be more than it sustains. NaN if it kept up with none.
     */
    private static double sustainedRate(LatencyRun phases, double backlogRate, Map<String, LatencyProbe.Result> latency, String label,
                                        String name, PrintStream log) throws IOException {
        double keptUp = 0;
        double notKeptUp = 1;
        for (int step = 0; step < SEARCH_STEPS; step++) {
            double fraction = (keptUp + notKeptUp) / 2;
            double rate = backlogRate * fraction;
            LatencyProbe.Result l = phases.run(new LatencyPhase("search" + (step + 1), rate));
            latency.put("search" + (step + 1), l);
            boolean generatorShort = l.achievedRate() < 0.97 * rate;
            boolean kept = l.caughtUp() && l.drainMillis() <= KEPT_UP_DRAIN_MS && !generatorShort;
            log.printf("%-22s %-16s search %d: %,.0f records/s (%.3f of the backlog rate): %s%n", label, name, step + 1, l.achievedRate(),
                    fraction, kept ? String.format("kept up (drained %.0f ms after the input stopped)", l.drainMillis())
                            : generatorShort ? "the load generator could not send that fast"
                            : l.caughtUp() ? String.format("fell behind (drained %.0f ms after the input stopped)", l.drainMillis())
                            : "fell behind (not caught up 30 s after the input stopped)");
            if (kept) {
                keptUp = fraction;
            } else {
                notKeptUp = fraction;
            }
        }
        double sustained = keptUp == 0 ? Double.NaN : backlogRate * keptUp;
        log.printf("%-22s %-16s sustained: %s%n", label, name, keptUp == 0 ? "kept up with none of the rates tried; no latency measured"
                : String.format("%,.0f records/s (%.3f of the backlog rate)", sustained, keptUp));
        return sustained;
    }

    /** The latency phases of one application, one after another, each adding what it sent to the backlog the next awaits. */
    private static final class LatencyRun {
        private final LocalStack stack;
        private final BenchWorkerProcess w;
        private final Options o;
        private final List<byte[]> pool;
        private final long self;
        private final LongSupplier processed;
        private long backlog;

        LatencyRun(LocalStack stack, BenchWorkerProcess w, Options o, List<byte[]> pool, long self, LongSupplier processed) {
            this.stack = stack;
            this.w = w;
            this.o = o;
            this.pool = pool;
            this.self = self;
            this.processed = processed;
            this.backlog = o.records(); // the pre-loaded topic only ever holds these
        }

        LatencyProbe.Result run(LatencyPhase phase) throws IOException {
            double app0 = ProcessStats.cpuSeconds(w.pid());
            double self0 = ProcessStats.cpuSeconds(self);
            long t0 = System.nanoTime();
            Path trace = o.latencyTrace() == null ? null
                    : Files.createDirectories(o.latencyTrace()).resolve("run" + w.run() + "-" + w.name().replace(' ', '-') + "-" + phase.name() + ".csv");
            LatencyProbe.Result l = LatencyProbe.run(stack.clientConfig(), liveTopic(w.run()), w.output(), pool, phase.rate(), o.latencySeconds(),
                    processed, backlog, trace);
            double wall = (System.nanoTime() - t0) / 1e9;
            backlog += l.sent();
            return l.withCpu((ProcessStats.cpuSeconds(w.pid()) - app0) / wall, (ProcessStats.cpuSeconds(self) - self0) / wall);
        }
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
                    if (model.metadata().isAlert(scores[i])) {
                        flagged.set(from + i);
                    }
                }
            }
            producer.flush();
        }
        return flagged;
    }

    private static byte[] model(int features) {
        return model(features, 20_000, 20);
    }

    /** The default AE trained on {@code rows} anomaly-free synthetic readings. */
    static byte[] model(int features, int rows, int epochs) {
        SyntheticReadings history = new SyntheticReadings(features, 0.0, 5);
        FeatureSpec spec = SyntheticReadings.spec(features);
        float[] values = new float[rows * features];
        for (int i = 0; i < rows; i++) {
            spec.extractInto(history.next(), values, i * features);
        }
        Dataset data = new Dataset(spec, values, rows, Optional.empty(), "bench history");
        return TrainingJob.run(data, TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), features, rows).withEpochs(epochs), "bench", 1,
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
