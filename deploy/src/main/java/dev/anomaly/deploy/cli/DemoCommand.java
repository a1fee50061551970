package dev.anomaly.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.anomaly.deploy.demo.DemoRun;
import dev.anomaly.deploy.demo.DemoSummary;
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
        console.println("Starting the local stack (Kafka 4.1 KRaft broker + Apicurio schema registry) ...");
        try (LocalStack stack = LocalStack.start()) {
            console.printf("  bootstrap servers : %s%n  schema registry   : %s%n", stack.bootstrapServers(), stack.schemaRegistryUrl());
            var source = data != null
                    ? dev.anomaly.deploy.demo.DemoSource.csv(data, Optional.ofNullable(labelColumn), 0.3)
                    : dev.anomaly.deploy.demo.DemoSource.telemetry(history, records, 0.01, shiftAt);
            DemoSummary summary = new DemoRun(stack, new DemoRun.Options(source, kind, rate, Math.max(1, records / 1000), showAlerts,
                    out, Optional.ofNullable(epochs), shiftAt), console).run();
            print(summary, console);
            if (summaryJson != null) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(summaryJson.toFile(), summary);
                console.printf("Summary written to %s%n", summaryJson);
            }
            if (keepRunning) {
                console.printf("%nThe stack is up: bootstrap servers %s, schema registry %s. Topics: %s (input), %s, %s, %s, %s.%n"
                                + "Ctrl-C to stop.%n", stack.bootstrapServers(), stack.schemaRegistryUrl(), DemoRun.INPUT, DemoRun.ALERTS,
                        DemoRun.DEAD_LETTERS, DemoRun.MODELS, DemoRun.DRIFT);
                CountDownLatch forever = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
                forever.await();
            }
        }
        console.printf("Local stack stopped. Demo took %.0f s.%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    static void print(DemoSummary s, PrintStream out) {
        out.printf("%n==== Demo summary ====%n");
        out.printf("records streamed       %,d%n", s.records());
        out.printf("alerts                 %,d%n", s.alerts());
        out.printf("dead-lettered          %,d%n", s.deadLettered());
        out.printf("precision / recall / F1 vs injected anomalies   %.3f / %.3f / %.3f%n", s.precision(), s.recall(), s.f1());
        out.printf("throughput             %,.0f records/s (end to end, paced by the producer)%n", s.throughputRps());
        out.printf("produce -> alert latency   p50 %.0f ms, p99 %.0f ms%n", s.latencyP50Ms(), s.latencyP99Ms());
        out.printf("model versions         %s%n", s.modelVersions());
        out.printf("drift events           %d%n", s.driftEvents());
        if (s.alertRateBeforeShift() != null) {
            out.printf("alert rate             before the shift %.2f %%, after it (v1) %.2f %%, after the swap %s%n", 100 * s.alertRateBeforeShift(),
                    100 * s.alertRateAfterShift(), s.alertRateAfterSwap() == null ? "(no swap yet)" : String.format("%.2f %%", 100 * s.alertRateAfterSwap()));
        }
        out.printf("training report        %s%n", s.reportPath());
    }
}
