package dev.anomaly.bench;

import dev.anomaly.bench.detector.BenchDetectorCommand;
import dev.anomaly.bench.kernel.BenchKernelCommand;
import dev.anomaly.bench.topic.BenchTopicReadCommand;
import dev.anomaly.bench.training.BenchTrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code anomaly bench}: benchmarks that print numbers (never run as tests). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Benchmarks that print numbers (kernel, train, detector, topic-read).",
        description = "Benchmarks that print numbers; results and the machine go in docs/benchmarks.md.",
        subcommands = {BenchKernelCommand.class, BenchTrainCommand.class, BenchDetectorCommand.class, BenchTopicReadCommand.class,
                dev.anomaly.bench.windows.BenchWindowsCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
