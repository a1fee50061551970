package dev.anomaly.bench.training;

import dev.anomaly.trainer.cli.ExitCodes;

import dev.anomaly.bench.BenchmarkReport;
import dev.anomaly.bench.training.TrainingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code anomaly bench train}: seconds per epoch of AE and VAE training. Prints numbers; not a test. */
@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Training speed: seconds per epoch for AE and VAE.",
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
        Map<String, Double> figures = TrainingBenchmark.run(rows, features, epochs);
        figures.forEach((k, v) -> System.out.printf("%-40s %8.3f%n", k, v));
        new BenchmarkReport("train").put("rows", rows).put("features", features).put("batch_size", 256).putAll(figures)
                .finish("train", json);
        return ExitCodes.OK;
    }
}
