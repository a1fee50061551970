package dev.anomaly.bench.detector;

import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.bench.ProcessStats;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One measured Streams application of the detector benchmark, in its own JVM so that its CPU time and memory are its
 * own: the detector as shipped, or a reference topology (pass-through, no-op limit, limit plus the model). It is driven over stdin/stdout:
 * whenever it waits for the benchmark it prints {@code READY}, and goes on at a {@code GO} line. Per measured pass
 * over the backlog it reports, one line each: {@code FIRST} when the first record is done, {@code HALF <records>
 * <seconds> <jit>} when half of {@code records} are, {@code DONE <records> <seconds> <jit>} when all are (seconds since
 * {@code FIRST}; {@code jit}: seconds the JIT compilers spent since {@code FIRST}). After the last pass, at the next
 * {@code GO}, the application starts under the configured application id for the latency phases and the worker prints
 * {@code COUNT <n>} every 100 ms; it exits when its stdin closes.
 *
 * <p>Arguments: {@code passthrough|limit|limit-model|detector <config.properties> <records> <warm-up records> <passes>}: with
 * warm-up records, the application first runs under other application ids until it has done that many and the JIT is
 * quiet ({@link #warmUp}), before the first {@code READY}. Each measured pass is a fresh application (another
 * consumer group) reading the whole backlog in the same, JIT-warm JVM, closed after it; the benchmark interleaves the
 * passes of several workers. The properties are the Streams settings plus, for the detector, its {@code detector.*}
 * keys, and for a reference topology {@code bench.input} (comma-separated), {@code bench.output}, {@code
 * bench.features} and {@code bench.flagged} (a file of {@link BitSet#toByteArray()}), and for the limit with the model
 * {@code bench.model} (the ONNX file) and {@code bench.batch} (rows per call).
 */
public final class DetectorBenchWorker {
    private static final long SAMPLE_MS = 5;
    private static final int MAX_WARMUP_PASSES = Integer.getInteger("anomaly.bench.warmup.passes", 6);
    private static final double QUIET_JIT_SHARE = 0.05;
    private static final long MAX_WARMUP_SECONDS = Long.getLong("anomaly.bench.warmup.seconds", 150);

    private static ScoringModel model;
    /** CPU time of the stream threads inside the model's calls (limit-model only). */
    private static final LongAdder MODEL_CPU_NANOS = new LongAdder();

    private DetectorBenchWorker() {
    }

    /** A started application and how many records it has finished. */
    private record Running(AutoCloseable app, LongSupplier done) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: DetectorBenchWorker passthrough|limit|limit-model|detector <config.properties> <records> <warm-up records> <passes>");
            System.exit(2);
        }
        String kind = args[0];
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            props.load(in);
        }
        long records = Long.parseLong(args[2]);
        long warmup = Long.parseLong(args[3]);
        int passes = Integer.parseInt(args[4]);
        Map<String, String> raw = new HashMap<>();
        props.stringPropertyNames().forEach(k -> raw.put(k, props.getProperty(k)));

        AtomicReference<AutoCloseable> current = new AtomicReference<>();
        BlockingQueue<String> commands = new LinkedBlockingQueue<>();
        Thread stdinWatch = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    commands.add(line.trim());
                }
            } catch (IOException e) {
                // parent gone: stop as well
            }
            try {
                AutoCloseable app = current.get();
                if (app != null) {
                    app.close();
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
            System.exit(0); // the parent closes stdin to stop us
        }, "bench-stdin");
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        if (warmup > 0) {
            warmUp(kind, raw, records, warmup, current);
        }
        for (int pass = 1; pass <= passes; pass++) {
            awaitGo(commands);
            Map<String, String> config = new HashMap<>(raw);
            config.put("application.id", raw.get("application.id") + "-pass" + pass);
            Running running = start(kind, config);
            current.set(running.app());
            measurePass(running.done(), records);
            current.set(null);
            running.app().close();
        }
        awaitGo(commands);
        Running running = start(kind, raw); // the latency phases feed it
        current.set(running.app());
        while (true) {
            System.out.println("COUNT " + running.done().getAsLong());
            Thread.sleep(100);
        }
    }

    /** Tells the benchmark this worker waits, and waits for its {@code GO}. */
    private static void awaitGo(BlockingQueue<String> commands) throws InterruptedException {
        System.out.println("READY");
        String command = commands.take();
        if (!command.equals("GO")) {
            throw new IllegalStateException("Expected GO from the benchmark, got '" + command + "'");
        }
    }

    /** Reports FIRST, HALF and DONE of one pass over the backlog. */
    private static void measurePass(LongSupplier done, long records) throws InterruptedException {
        // Sampling every 5 ms: a timing error under 0.1 % of a pass, and few wake-ups (at 1 ms they took ~10 % of a core).
        while (done.getAsLong() == 0) {
            Thread.sleep(SAMPLE_MS);
        }
        long first = System.nanoTime();
        double jitAtFirst = jitSeconds();
        Map<String, Double> threadsAtFirst = ProcessStats.threadCpuSeconds();
        long modelAtFirst = MODEL_CPU_NANOS.sum();
        System.out.println("FIRST");
        boolean half = false;
        while (true) {
            long n = done.getAsLong();
            if (!half && n >= records / 2) {
                System.out.printf(Locale.ROOT, "HALF %d %.6f %.3f%n", n, (System.nanoTime() - first) / 1e9, jitSeconds() - jitAtFirst);
                half = true;
            }
            if (n >= records) {
                System.out.printf(Locale.ROOT, "DONE %d %.6f %.3f%n", n, (System.nanoTime() - first) / 1e9, jitSeconds() - jitAtFirst);
                // Where this JVM's CPU went in the pass, by thread (into the worker's log): the stream threads, the
                // scoring thread, the clients' network threads, GC, the JIT compilers.
                StringBuilder threads = new StringBuilder("pass CPU seconds by thread:");
                ProcessStats.threadCpuSeconds().forEach((name, cpu) -> {
                    double used = cpu - threadsAtFirst.getOrDefault(name, 0.0);
                    if (used >= 0.05) {
                        threads.append(String.format(Locale.ROOT, " [%s] %.2f", name, used));
                    }
                });
                long modelNanos = MODEL_CPU_NANOS.sum() - modelAtFirst;
                if (modelNanos > 0) {
                    threads.append(String.format(Locale.ROOT, "; of the stream threads' CPU, in the model's calls %.2f s (%.3f µs per record)",
                            modelNanos / 1e9, modelNanos / 1e3 / n));
                }
                System.err.println(threads);
                return;
            }
            Thread.sleep(SAMPLE_MS);
        }
    }

    /**
     * Runs the application under other application ids (same code, same input, another consumer group) so that the
     * measured pass starts with JIT-compiled code: at least {@code warmup} records, then on until the JIT compilers
     * are quiet (under {@value #QUIET_JIT_SHARE} of a second compiling per second) or the backlog is done; then
     * further passes over the backlog while the compilers are still busy, at most 6 in all and for at most 150 s
     * after the first {@code warmup} records (system properties {@code anomaly.bench.warmup.passes} and
     * {@code anomaly.bench.warmup.seconds}). On two cores
     * the C2 compiler otherwise takes up to half a core through the measured pass: with at most 2 passes, methods run
     * per fetch or per batch were still reaching C2 for the first time in the measured passes (1.4–2.0 s of compiler
     * threads per pass; 0.2–0.6 s after 6), the detector, with more code on those paths, more than the limit.
     */
    private static void warmUp(String kind, Map<String, String> raw, long records, long warmup, AtomicReference<AutoCloseable> current)
            throws Exception {
        long deadline = Long.MAX_VALUE; // set once the first warmup records are done
        for (int pass = 1; pass <= MAX_WARMUP_PASSES; pass++) {
            Map<String, String> warm = new HashMap<>(raw);
            warm.put("application.id", raw.get("application.id") + "-warmup" + pass);
            Running w = start(kind, warm);
            current.set(w.app());
            long minimum = pass == 1 ? warmup : 1;
            double jitBefore = jitSeconds();
            long windowStart = System.nanoTime();
            double jitWindowStart = jitBefore;
            boolean quiet = false;
            long done;
            while ((done = w.done().getAsLong()) < records) {
                Thread.sleep(SAMPLE_MS);
                long now = System.nanoTime();
                if (deadline == Long.MAX_VALUE && done >= minimum) {
                    deadline = now + MAX_WARMUP_SECONDS * 1_000_000_000L;
                }
                if (now > deadline) {
                    break;
                }
                if (now - windowStart >= 1_000_000_000L) {
                    double jit = jitSeconds();
                    quiet = (jit - jitWindowStart) / ((now - windowStart) / 1e9) < QUIET_JIT_SHARE;
                    windowStart = now;
                    jitWindowStart = jit;
                    if (quiet && done >= minimum) {
                        break;
                    }
                }
            }
            w.app().close();
            System.err.printf("warm-up pass %d: %,d records, %.1f s compiling, JIT %s%n", pass, done, jitSeconds() - jitBefore,
                    quiet ? "quiet" : "still compiling");
            if (quiet || System.nanoTime() > deadline) {
                return;
            }
        }
    }

    /** Seconds the JIT compilers have spent so far (NaN where the JVM does not say). */
    private static double jitSeconds() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() / 1e3 : Double.NaN;
    }

    private static Running start(String kind, Map<String, String> raw) throws IOException {
        if (kind.equals("detector")) {
            DetectorApp detector = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE);
            return new Running(detector, detector.metrics()::recordsRouted);
        }
        LongAdder counter = new LongAdder();
        KafkaStreams streams = new KafkaStreams(reference(kind, raw, counter), streamsProperties(raw));
        streams.start();
        return new Running(streams, counter::sum);
    }

    private static Topology reference(String kind, Map<String, String> raw, LongAdder counter) throws IOException {
        Map<String, Object> client = new HashMap<>(raw);
        GenericAvroSerde generic = new GenericAvroSerde();
        generic.configure(client, false);
        String[] input = raw.get("bench.input").split(",");
        String output = raw.get("bench.output");
        return switch (kind) {
            case "passthrough" -> ReferenceTopologies.passThrough(input, output, generic.deserializer(), generic.serializer(), counter);
            case "limit", "limit-model" -> {
                SpecificAvroSerde<Alert> alerts = new SpecificAvroSerde<>(Alert.class);
                alerts.configure(client, false);
                BitSet flagged = BitSet.valueOf(Files.readAllBytes(Path.of(raw.get("bench.flagged"))));
                FeatureSpec spec = SyntheticReadings.spec(Integer.parseInt(raw.get("bench.features")));
                yield kind.equals("limit")
                        ? ReferenceTopologies.noOpLimit(input, output, spec, flagged, generic.deserializer(), alerts.serializer(), counter)
                        : ReferenceTopologies.limitWithModel(input, output, spec, flagged, generic.deserializer(), alerts.serializer(),
                                model(raw.get("bench.model")), Integer.parseInt(raw.get("bench.batch")), counter, MODEL_CPU_NANOS);
            }
            default -> throw new IllegalArgumentException("Unknown kind " + kind + " (passthrough, limit, limit-model or detector)");
        };
    }

    /**
     * The model of the limit with the model, loaded once per worker JVM and shared by every pass's stream threads, as
     * the detector shares its model between them (ONNX Runtime sessions are thread-safe).
     */
    private static synchronized ScoringModel model(String file) {
        if (model == null) {
            model = OnnxScoringModel.load(Path.of(file), ScoringOptions.cpu());
        }
        return model;
    }

    private static Properties streamsProperties(Map<String, String> raw) {
        Properties p = new Properties();
        raw.forEach((k, v) -> {
            if (!k.startsWith("bench.")) {
                p.put(k, v);
            }
        });
        return p;
    }
}
