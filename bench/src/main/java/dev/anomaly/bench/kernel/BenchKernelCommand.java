package dev.anomaly.bench.kernel;

import dev.anomaly.trainer.cli.ExitCodes;

import dev.anomaly.bench.BenchmarkReport;
import dev.anomaly.bench.kernel.ScoringKernelBenchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code anomaly bench kernel}: JMH measurement of one scoring call, ONNX Runtime vs DL4J, per batch size. */
@Command(name = "kernel", mixinStandardHelpOptions = true,
        header = "Scoring kernel (JMH): ONNX Runtime vs DL4J, records/s per batch size.",
        description = "Scoring kernel (JMH): records/s of ONNX Runtime and of DL4J's forward pass, AE and VAE, F = 30, batches 1..4096.")
public final class BenchKernelCommand implements Callable<Integer> {
    @Option(names = "--forks", defaultValue = "1", description = "JMH forks (0 runs in this JVM; default: ${DEFAULT-VALUE}).")
    int forks;

    @Option(names = "--iterations", defaultValue = "3", description = "Measurement iterations of 1 s (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        Options options = new OptionsBuilder()
                .include(ScoringKernelBenchmark.class.getName())
                .forks(forks)
                .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xmx2g")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Object> figures = new LinkedHashMap<>();
        Map<String, Double> perRecord = new LinkedHashMap<>();
        System.out.printf("%n%-5s %-19s %6s %14s %14s%n", "kind", "runtime", "batch", "records/s", "us/call");
        for (RunResult r : results) {
            String kind = r.getParams().getParam("kind");
            int batch = Integer.parseInt(r.getParams().getParam("batch"));
            String runtime = runtime(r);
            double callsPerSecond = r.getPrimaryResult().getScore();
            double recordsPerSecond = callsPerSecond * batch;
            System.out.printf("%-5s %-19s %6d %,14.0f %14.2f%n", kind, runtime, batch, recordsPerSecond, 1e6 / callsPerSecond);
            String key = "kernel." + kind.toLowerCase() + "." + runtime + ".batch" + batch;
            figures.put(key + ".records_per_second", recordsPerSecond);
            figures.put(key + ".micros_per_call", 1e6 / callsPerSecond);
            if (batch == 1) {
                perRecord.put(kind + runtime, recordsPerSecond);
            }
        }
        for (RunResult r : results) {
            String kind = r.getParams().getParam("kind");
            int batch = Integer.parseInt(r.getParams().getParam("batch"));
            String runtime = runtime(r);
            Double single = perRecord.get(kind + runtime);
            if (single != null && batch > 1) {
                figures.put("kernel." + kind.toLowerCase() + "." + runtime + ".batch" + batch + ".over_batch1",
                        r.getPrimaryResult().getScore() * batch / single);
            }
        }
        new BenchmarkReport("kernel").putAll(figures).finish("kernel", json);
        return ExitCodes.OK;
    }

    /** The figure's runtime label from the benchmark method's name. */
    private static String runtime(RunResult r) {
        String method = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
        return switch (method) {
            case "onnxRuntime" -> "onnxruntime";
            case "onnxRuntimeExplainingAlerts" -> "onnxruntime_alerts";
            default -> method.toLowerCase();
        };
    }
}
