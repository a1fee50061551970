package dev.anomaly.detector.app;

import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code anomaly detect}: run the detector service until SIGTERM / Ctrl-C, or until Kafka Streams fails. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        header = "Run the streaming detector (Kafka Streams + ONNX Runtime) until stopped.",
        description = {"Run the streaming detector (Kafka Streams + ONNX Runtime).",
                "Configuration: a properties file; ANOMALY_DETECTOR_* and KAFKA_* environment variables override it."})
public final class DetectCommand implements Callable<Integer> {
    @Option(names = "--config", description = "Properties file (detector.* keys plus any Kafka Streams / client / registry setting); without it, environment variables only.")
    Path config;

    @Option(names = "--print-config", description = "List the settings with their defaults and exit.")
    boolean printConfig;

    @Override
    public Integer call() throws Exception {
        if (printConfig) {
            DetectorConfig.CONFIG.describe().forEach(System.out::println);
            return 0;
        }
        // Without --config, the environment alone configures the detector (containers).
        DetectorConfig cfg = config != null ? DetectorConfig.load(config, System.getenv())
                : DetectorConfig.fromMap(DetectorConfig.withEnvironment(java.util.Map.of(), System.getenv()));
        DetectorApp app = DetectorApp.start(cfg, observers(cfg));
        // SIGTERM / Ctrl-C: close gracefully (commit, flush, leave the group) before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "detector-shutdown"));
        boolean failed = app.awaitTermination();
        if (failed) {
            app.close();
            return 1;
        }
        return 0;
    }

    static java.util.function.Function<dev.anomaly.detector.ops.DetectorMetrics, java.util.function.Supplier<BatchObserver>> observers(DetectorConfig cfg) {
        return metrics -> cfg.drift().enabled()
                ? () -> new dev.anomaly.detector.drift.DriftMonitor(cfg.drift(), metrics, java.time.Clock.systemUTC())
                : () -> BatchObserver.NONE;
    }

}
