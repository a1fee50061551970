package dev.anomaly.trainer.cli;

import dev.anomaly.trainer.retrain.RetrainConfig;
import dev.anomaly.trainer.retrain.RetrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code anomaly retrain}: the retraining job, triggered by drift events, by a schedule, or by hand. */
@Command(name = "retrain", mixinStandardHelpOptions = true,
        header = "Run the retraining job: drift events in, validated new model versions out.",
        description = {"Retrain on drift: consume the drift topic; for each event about the model, train a candidate on recent",
                "records of the input topic (minus alerted ones), validate it, and publish it as the next version.",
                "With --once, retrain now (for a schedule or by hand) and exit. Exit codes: 0 published or nothing to do,",
                "4 candidate rejected."})
public final class RetrainCommand implements Callable<Integer> {
    @Option(names = "--config", description = "Properties file (retrain.* keys plus Kafka / registry settings); without it, environment variables only (ANOMALY_RETRAIN_X_Y, KAFKA_X_Y).")
    Path config;

    @Option(names = "--once", description = "Retrain now, without waiting for a drift event, then exit.")
    boolean once;

    @Option(names = "--print-config", description = "List the settings with their defaults and exit.")
    boolean printConfig;

    @Override
    public Integer call() throws Exception {
        if (printConfig) {
            RetrainConfig.CONFIG.describe().forEach(System.out::println);
            return ExitCodes.OK;
        }
        // Without --config, the environment alone configures the job (containers), as for 'anomaly detect'.
        RetrainJob job = new RetrainJob(config != null ? RetrainConfig.load(config, System.getenv()) : RetrainConfig.fromEnvironment(System.getenv()));
        if (once) {
            RetrainJob.Outcome outcome = job.handle(null);
            System.out.println(outcome.published() ? "Published version " + outcome.version() : "Not published: " + outcome.reason());
            return outcome.published() ? ExitCodes.OK : ExitCodes.BAD_MODEL;
        }
        AtomicBoolean stop = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
        job.run(stop::get);
        return ExitCodes.OK;
    }
}
