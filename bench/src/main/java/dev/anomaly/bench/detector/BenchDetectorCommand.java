package dev.anomaly.bench.detector;

import dev.anomaly.bench.BenchmarkReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code anomaly bench detector}: the detector end to end on the embedded stack. Prints numbers; not a test. */
@Command(name = "detector", aliases = "e2e", mixinStandardHelpOptions = true,
        header = "The detector end to end on the embedded stack, against a pass-through and a no-op limit.",
        description = {"The detector end to end on the embedded stack (real broker and registry, Avro in and out): records/s, CPU seconds "
                + "of the Streams JVM and of the broker, peak RSS, and produce -> alert latency at half the maximum rate, "
                + "against a pass-through and the no-op limit, each application in its own JVM."})
public final class BenchDetectorCommand implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "2000000", description = "Records to pre-load (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--warmup-records", description = "Records each application first processes under another application id in the "
            + "same JVM, so that the measured pass runs JIT-compiled code; it then goes on until the JIT compilers are quiet (at most "
            + "six passes over the backlog or 150 s more). 0 measures a cold JVM (default: half of --records, at most 1000000).")
    Integer warmupRecords;

    @Option(names = "--passes", defaultValue = "3", description = "Measured passes over the backlog per application, each a fresh "
            + "consumer group in the same JVM after the warm-up, in rounds (one pass of each application per round); the median pass is "
            + "reported, with the median of the per-round ratios; all are in the JSON (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--features", defaultValue = "30", description = "Numeric features per record (default: ${DEFAULT-VALUE}).")
    int features;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,64,512", description = "Detector batch sizes; 1 is the per-record baseline (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--scoring-threads", description = "The detector's detector.scoring.threads: threads that decode, "
            + "extract and score full batches while the stream threads read on; 0 scores on the stream threads (default: the detector's, "
            + "one per stream thread).")
    Integer scoringThreads;

    @Option(names = "--guarantees", split = ",", defaultValue = "exactly_once_v2,at_least_once", description = "Processing guarantees (default: ${DEFAULT-VALUE}).")
    List<String> guarantees;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "Stream threads per run (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--latency-seconds", defaultValue = "10", description = "Length of each latency phase (search steps and "
            + "measurements); 0 skips latency (default: ${DEFAULT-VALUE}).")
    double latencySeconds;

    @Option(names = "--latency-basis", defaultValue = "sustained", converter = LatencyBasisConverter.class,
            description = "What --latency-fractions are fractions of: 'sustained', the highest live input rate the application keeps "
            + "up with on this machine, found by a 4-step bisection of latency phases (the load generator and broker share the machine); "
            + "or 'backlog', the rate at which it read the pre-loaded backlog (default: ${DEFAULT-VALUE}).")
    DetectorThroughputBenchmark.LatencyBasis latencyBasis;

    @Option(names = "--latency-fractions", split = ",", defaultValue = "0.5", description = "Input rates of the latency measurements, "
            + "as fractions of the --latency-basis rate, e.g. 0.5,0.25,0.1 (default: ${DEFAULT-VALUE}).")
    List<Double> latencyFractions;

    @Option(names = "--latency-rates", split = ",", description = "Input rates of the latency measurements in records/s, the same for "
            + "every application, instead of --latency-fractions, e.g. 60000,90000,120000.")
    List<Double> latencyRates = List.of();

    @Option(names = "--latency-trace", description = "Write each latency measurement's samples to a CSV file in this directory "
            + "(input timestamp, latency, input partition, and the alert's detectedAt; one line per output record), to see when the slow records were sent.")
    Path latencyTrace;

    @Option(names = "--applications", split = ",", defaultValue = "passthrough,limit,detector", description = "Which applications to run, of passthrough, limit, "
            + "limit-model (the limit plus the model's call per batch on the stream thread: the least work any design that runs the model does) "
            + "and detector (default: ${DEFAULT-VALUE}).")
    List<String> applications;

    @Option(names = "--worker-jvm-options", split = " ", defaultValue = "-Xmx1g", description = "JVM options of each measured application (default: ${DEFAULT-VALUE}).")
    List<String> workerJvmOptions;

    @Option(names = "--stack-dir", description = "Directory for the embedded broker's and registry's data (default: a fresh temporary "
            + "directory). A RAM-backed one (e.g. under /dev/shm) keeps the machine's disk write-back out of the latency figures.")
    Path stackDir;

    @Option(names = "--streams-property", paramLabel = "KEY=VALUE", description = "A Kafka Streams setting for every measured "
            + "application alike, e.g. consumer.fetch.min.bytes=65536 (repeatable).")
    Map<String, String> streamsProperties = new java.util.LinkedHashMap<>();

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        int warmup = warmupRecords != null ? warmupRecords : Math.min(1_000_000, records / 2);
        if (records < 1000 || passes < 1 || warmup < 0 || warmup > records || features < 1 || batchSizes.stream().anyMatch(b -> b < 1)
                || latencyFractions.stream().anyMatch(f -> !(f > 0 && f <= 1)) || latencyRates.stream().anyMatch(r -> !(r > 0))) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--records must be at least 1000, --passes at least 1, --warmup-records within [0, --records], --features and --batch-sizes at least 1, --latency-fractions in (0, 1], --latency-rates positive");
        }
        List<String> known = List.of("passthrough", "limit", "limit-model", "detector");
        for (String a : applications) {
            if (!known.contains(a)) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--applications: unknown application '" + a + "' (known: " + String.join(", ", known) + ")");
            }
        }
        var options = new DetectorThroughputBenchmark.Options(records, warmup, passes, features, batchSizes, scoringThreads, guarantees, threads, latencySeconds,
                latencyBasis, latencyFractions, latencyRates, latencyTrace, applications, workerJvmOptions, stackDir,
                Map.copyOf(streamsProperties));
        new BenchmarkReport("detector").put("records", records).put("warmup_records", warmup).put("passes", passes).put("scoring_threads", scoringThreads == null ? "one per stream thread" : scoringThreads.toString()).put("features", features)
                .put("latency_basis", latencyRates.isEmpty() ? latencyBasis.name().toLowerCase(java.util.Locale.ROOT) : "rates")
                .putAll(DetectorThroughputBenchmark.run(options, System.out))
                .finish("detector", json);
        return 0;
    }

    /** Accepts the basis in lower case, as the help text spells it. */
    static final class LatencyBasisConverter implements picocli.CommandLine.ITypeConverter<DetectorThroughputBenchmark.LatencyBasis> {
        @Override
        public DetectorThroughputBenchmark.LatencyBasis convert(String value) {
            try {
                return DetectorThroughputBenchmark.LatencyBasis.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not sustained or backlog");
            }
        }
    }
}
