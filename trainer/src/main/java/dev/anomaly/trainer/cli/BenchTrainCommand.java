package dev.anomaly.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.anomaly.trainer.bench.TrainingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code anomaly bench train}: seconds per epoch of AE and VAE training. Prints numbers; not a test. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training speed: seconds per epoch for AE (F-64-8-64-F) and VAE (enc 64 / latent 8 / dec 64) on synthetic data, batch 256.")
public final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "100000", description = "Rows (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(names = "--features", defaultValue = "30", description = "Features (default: ${DEFAULT-VALUE}).")
    int features;

    @Option(names = "--epochs", defaultValue = "5", description = "Timed epochs after one warm-up epoch (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "train");
        result.put("rows", rows);
        result.put("features", features);
        result.put("batch_size", 256);
        result.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"));
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Map<String, Double> figures = TrainingBenchmark.run(rows, features, epochs);
        result.putAll(figures);
        figures.forEach((k, v) -> System.out.printf("%-40s %8.3f%n", k, v));
        double rss = dev.anomaly.trainer.bench.PeakMemory.peakRssMegabytes();
        result.put("train.peak_rss_mb", rss);
        System.out.printf("peak RSS of this process: %.0f MB%n", rss);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), result);
        }
        return ExitCodes.OK;
    }
}
