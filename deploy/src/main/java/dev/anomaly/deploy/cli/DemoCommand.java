package dev.anomaly.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.anomaly.deploy.demo.DemoLogs;
import dev.anomaly.deploy.demo.DemoRun;
import dev.anomaly.deploy.demo.DemoSummary;
import dev.anomaly.deploy.demo.Latency;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.schemas.avro.ModelKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code anomaly demo}: the whole story on an embedded broker and registry, in about a minute. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run the whole story on an embedded broker and registry: train, detect, alert, summarise.",
        description = {"Run the demo on an embedded local stack (Kafka broker + schema registry on 127.0.0.1): train a model on",
                "historical telemetry, publish it, run the detector, stream the rest with injected anomalies, print alerts",
                "as they arrive, and summarise precision / recall / F1, throughput and latency. Stops everything at the end."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Train on and stream this CSV instead of simulated telemetry (first 30 %% trains).")
    Path data;

    @Option(names = "--label-column", description = "With --data: the 0/1 label column (used for precision/recall, never a feature).")
    String labelColumn;

    @Option(names = "--model", defaultValue = "ae", description = "ae or vae (default: ${DEFAULT-VALUE}).")
    ModelKind model;

    @Option(names = "--history", defaultValue = "6000", description = "Simulated records to train on (default: ${DEFAULT-VALUE}).")
    int history;

    @Option(names = "--records", defaultValue = "20000", description = "Simulated records to stream (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--rate", defaultValue = "5000", description = "Records per second to produce, at most (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--epochs", description = "Maximum training epochs (default: the trainer's).")
    Integer epochs;

    @Option(names = "--show-alerts", defaultValue = "10", description = "Alerts to print in full (default: ${DEFAULT-VALUE}).")
    int showAlerts;

    @Option(names = "--out", defaultValue = "anomaly-demo", description = "Directory for the model and its report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--summary-json", description = "Also write the summary as JSON to this file.")
    Path summaryJson;

    @Option(names = "--drift", description = "The drift story: a regime shift a third into the stream, a drift event, retraining,"
            + " and the new model swapped in (streams 36,000 records at 800/s unless --records / --rate say otherwise).")
    boolean drift;

    @Option(names = "--keep-running", description = "Leave the stack and detector up afterwards (prints the addresses) until Ctrl-C.")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        ModelKind kind = model; // picocli parses ae / vae (case-insensitively, see AnomalyCli)
        if (records < 100 || history < 100 || rate < 1) {
            throw new IllegalArgumentException("--records and --history must be >= 100 and --rate >= 1");
        }
        if (drift && records == 20_000) {
            records = 36_000;
        }
        if (drift && rate == 5_000) {
            rate = 800; // slow enough that retraining (about 15 s) finishes while regime B still streams
        }
        int shiftAt = drift ? records / 3 : -1;
        if (drift && data != null) {
            throw new IllegalArgumentException("--drift uses the simulated telemetry; leave out --data");
        }
        PrintStream console = System.out;
        long t0 = System.nanoTime();
        java.nio.file.Files.createDirectories(out);
        Path kafkaLog = out.resolve("kafka.log");
        DemoLogs.kafkaToFile(kafkaLog);
        console.printf("Starting the local stack (Kafka 4.1 KRaft broker + Apicurio schema registry; their logs: %s) ...%n", kafkaLog);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        LocalStack.Options stackOptions = keepRunning ? LocalStack.Options.defaults().withoutShutdownHook() : LocalStack.Options.defaults();
        if (keepRunning) {
            // Ctrl-C / SIGTERM: let the main thread stop the detector, then the stack, in that order, before the JVM exits.
            // (Waiting for the main thread itself would wait forever: it ends in System.exit, which blocks during shutdown.)
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    stopped.await(90, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "demo-shutdown"));
        }
        AutoCloseable done = () -> {
            console.printf("Local stack stopped. Demo took %.0f s.%n", (System.nanoTime() - t0) / 1e9);
            console.flush();
            stopped.countDown();
        };
        try (done; LocalStack stack = LocalStack.start(stackOptions)) { // closed in reverse: the stack, then done
            console.printf("  bootstrap servers : %s%n  schema registry   : %s%n", stack.bootstrapServers(), stack.schemaRegistryUrl());
            var source = data != null
                    ? dev.anomaly.deploy.demo.DemoSource.csv(data, Optional.ofNullable(labelColumn), 0.3)
                    : dev.anomaly.deploy.demo.DemoSource.telemetry(history, records, 0.01, shiftAt, drift ? Math.max(1000, records / 6) : 0);
            new DemoRun(stack, new DemoRun.Options(source, kind, rate, Math.max(1, records / 1000), showAlerts,
                    out, Optional.ofNullable(epochs), shiftAt), console).run(running -> {
                print(running.summary(), console);
                if (summaryJson != null) {
                    try {
                        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(summaryJson.toFile(), running.summary());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    console.printf("Summary written to %s%n", summaryJson);
                }
                if (keepRunning) {
                    console.printf("%nEverything is still running, until Ctrl-C:%n  bootstrap servers %s%n  schema registry   %s%n"
                                    + "  detector metrics  http://127.0.0.1:%d/metrics  (health: /health/ready)%n"
                                    + "  topics            %s (input, Avro %s), %s, %s, %s, %s%n"
                                    + "  data              %s (deleted when stopped)%n",
                            stack.bootstrapServers(), stack.schemaRegistryUrl(), running.httpPort(), DemoRun.INPUT, "MachineTelemetry",
                            DemoRun.ALERTS, DemoRun.DEAD_LETTERS, DemoRun.MODELS, DemoRun.DRIFT, stack.dataDir());
                    console.flush();
                    stop.await();
                    console.println("Stopping the detector and the local stack ...");
                    console.flush(); // the JVM is shutting down: it halts once the stack is stopped
                }
            });
        }
        return 0;
    }

    static void print(DemoSummary s, PrintStream out) {
        out.printf("%n==== Demo summary ====%n");
        out.printf("records streamed       %,d%n", s.records());
        out.printf("alerts                 %,d%n", s.alerts());
        out.printf("dead-lettered          %,d%n", s.deadLettered());
        out.printf("precision / recall / F1 vs injected anomalies   %.3f / %.3f / %.3f%n", s.precision(), s.recall(), s.f1());
        out.printf("throughput             %,.0f records/s (end to end, paced by the producer)%n", s.throughputRps());
        Latency l = s.latency();
        out.printf("produce -> alert readable  %s (exactly-once: an alert is readable once its transaction commits)%n", l.total());
        out.printf("  where the time goes      producer -> broker %s; broker -> scored %s; scored -> readable %s%n",
                l.producerToBroker(), l.brokerToScored(), l.scoredToReadable());
        out.printf("model versions         %s%n", s.modelVersions());
        out.printf("drift events           %d%n", s.driftEvents());
        if (s.phases().size() > 1) {
            out.printf("%-44s %8s %7s %10s %9s %7s%n", "stretch of the stream", "records", "alerts", "alert rate", "precision", "recall");
            for (DemoSummary.Phase p : s.phases()) {
                out.printf("%-44s %,8d %,7d %9.2f%% %9.3f %7.3f%n", p.name() + " " + versionsOf(p), p.records(), p.alerts(),
                        100 * p.alertRate(), p.precision(), p.recall());
            }
        }
        out.printf("training report        %s%n", s.reportPath());
    }

    private static String versionsOf(DemoSummary.Phase p) {
        return p.alertVersions().isEmpty() ? "" : "(alerts from v" + p.alertVersions().stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(", v")) + ")";
    }
}
