package dev.anomaly.detector.app;

import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.ops.HttpEndpoints;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.ReleaseValidator;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.detector.topology.DetectorTopology;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.registry.SchemaRegistries;
import dev.anomaly.schemas.registry.SchemaRegistry;
import dev.anomaly.schemas.serde.AvroSerdes;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.schemas.serde.WireFormatException;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs the detector: loads and validates the model (file and/or models topic), builds the topology, starts Kafka
 * Streams, the model-release watcher and the HTTP endpoints. The topology says what; this class owns how.
 */
public final class DetectorApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DetectorApp.class);

    private final DetectorConfig config;
    private final KafkaStreams streams;
    private final ModelHolder models;
    private final ModelReleaseWatcher watcher;
    private final HttpEndpoints http;
    private final DetectorMetrics metrics;
    private final java.util.concurrent.CountDownLatch terminated;
    private final ExecutorService scoring;

    private DetectorApp(DetectorConfig config, KafkaStreams streams, ModelHolder models, ModelReleaseWatcher watcher,
                        HttpEndpoints http, DetectorMetrics metrics, java.util.concurrent.CountDownLatch terminated,
                        ExecutorService scoring) {
        this.terminated = terminated;
        this.scoring = scoring;
        this.config = config;
        this.streams = streams;
        this.models = models;
        this.watcher = watcher;
        this.http = http;
        this.metrics = metrics;
    }

    /** Starts everything; fails fast (before any client starts processing) on bad configuration or no usable model. */
    public static DetectorApp start(DetectorConfig config, Supplier<BatchObserver> observers) throws IOException {
        return start(config, metrics -> observers);
    }

    /** Starts with the drift monitor the configuration asks for. */
    public static DetectorApp start(DetectorConfig config) throws IOException {
        return start(config, DetectCommand.observers(config));
    }

    static DetectorApp start(DetectorConfig config, java.util.function.Function<DetectorMetrics, Supplier<BatchObserver>> observerFactory)
            throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DetectorMetrics metrics = new DetectorMetrics(registry);
        Supplier<BatchObserver> observers = observerFactory.apply(metrics);
        ModelHolder models = new ModelHolder(m -> metrics.modelSwapped(m.version()));
        SchemaRegistry schemaRegistry = SchemaRegistries.fromConfig(config.kafka());
        Supplier<Optional<Schema>> inputSchema = () -> {
            try {
                return Optional.of(schemaRegistry.latest(config.inputTopics().get(0) + "-value").schema());
            } catch (RuntimeException e) {
                return Optional.empty(); // nothing registered yet: records will be checked one by one
            }
        };
        if (config.modelPath().isPresent()) {
            models.swap(ReleaseValidator.validate(Files.readAllBytes(config.modelPath().get()), inputSchema.get(), config.scoring()));
            log.info("Loaded model {} from {}", models.metadata().map(m -> m.modelId() + " v" + m.version()).orElseThrow(), config.modelPath().get());
        }
        Supplier<String> modelId = () -> !config.modelId().isEmpty() ? config.modelId() : models.metadata().map(m -> m.modelId()).orElse("");
        ModelReleaseWatcher watcher = new ModelReleaseWatcher(config.modelsTopic(), modelId, models, config.scoring(), inputSchema,
                metrics, config.kafka());
        try {
            watcher.start(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            watcher.close();
            if (models.metadata().isEmpty()) {
                throw new IllegalStateException("No model to serve: " + e.getMessage() + "; set " + DetectorConfig.MODEL_PATH, e);
            }
            log.warn("Not following model releases: {}", e.getMessage());
            watcher = null;
        }
        if (models.metadata().isEmpty()) {
            throw new IllegalStateException("No model to serve: set " + DetectorConfig.MODEL_PATH + " or publish a ModelRelease"
                    + " for '" + config.modelId() + "' to " + config.modelsTopic());
        }

        Serde<GenericRecord> input = AvroSerdes.genericSerde(config.serdeClass(), config.kafka(), false);
        SpecificAvroSerde<Alert> alerts = new SpecificAvroSerde<>(Alert.class);
        alerts.configure(config.kafka(), false);
        SpecificAvroSerde<DriftEvent> drift = new SpecificAvroSerde<>(DriftEvent.class);
        drift.configure(config.kafka(), false);
        // A batch of one has nothing to overlap with: handing each record to another thread only adds a wait.
        ExecutorService scoring = scoringThreads(config.batchSize() > 1 ? config.scoringThreads() : 0);
        Topology topology = DetectorTopology.build(config, new DetectorTopology.Parts(models, input.deserializer(), alerts.serializer(),
                drift.serializer(), metrics, observers, Clock.systemUTC(), scoring));
        log.info("Topology:\n{}", topology.describe());

        Properties props = new Properties();
        props.putAll(config.kafka());
        KafkaStreams streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(e -> {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                if (root instanceof WireFormatException) {
                    break;
                }
                root = root.getCause();
            }
            if (root instanceof WireFormatException w && w.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                log.warn("Schema registry unavailable; restarting the stream thread from the last commit: {}", w.getMessage());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            log.error("Stream thread failed; shutting down the detector", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        java.util.concurrent.CountDownLatch terminated = new java.util.concurrent.CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                terminated.countDown();
            }
        });
        new KafkaStreamsMetrics(streams).bindTo(registry);
        HttpEndpoints http = new HttpEndpoints(config.httpHost(), config.httpPort(), registry, () -> {
            KafkaStreams.State s = streams.state();
            boolean live = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING && s != KafkaStreams.State.PENDING_ERROR;
            boolean ready = s == KafkaStreams.State.RUNNING && models.metadata().isPresent();
            return new HttpEndpoints.Health(live, ready, "streams " + s + ", model "
                    + models.metadata().map(m -> m.modelId() + " v" + m.version()).orElse("none"));
        });
        streams.start();
        log.info("Detector {} started: inputs {}, alerts -> {}, dead letters -> {}, {} (batch {}, linger {} ms, scoring threads {}), http :{}",
                config.applicationId(), config.inputTopics(), config.alertTopic(), config.deadLetterTopic(),
                config.kafka().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG), config.batchSize(), config.linger().toMillis(),
                config.batchSize() > 1 ? config.scoringThreads() : 0, http.port());
        return new DetectorApp(config, streams, models, watcher, http, metrics, terminated, scoring);
    }

    /** The scoring threads (daemons: a stuck ONNX call must not keep the JVM alive), or null to score on the stream threads. */
    private static ExecutorService scoringThreads(int n) {
        if (n == 0) {
            return null;
        }
        AtomicInteger id = new AtomicInteger();
        return Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "anomaly-scoring-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Blocks until Kafka Streams has stopped (closed, or failed); true when it failed. */
    public boolean awaitTermination() throws InterruptedException {
        terminated.await();
        return streams.state() == KafkaStreams.State.ERROR;
    }

    /** Waits until Kafka Streams is RUNNING (tasks assigned and restored); false on timeout or failure. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || terminated.getCount() == 0) {
                return false;
            }
            Thread.sleep(20); // Kafka Streams offers no blocking wait for a state
        }
        return true;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public ModelHolder models() {
        return models;
    }

    public DetectorMetrics metrics() {
        return metrics;
    }

    public int httpPort() {
        return http.port();
    }

    /** Graceful stop: Streams commits and closes (within 30 s), then the watcher, the endpoints and the model. */
    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        if (scoring != null) {
            scoring.shutdown(); // Streams has routed every batch it committed; what is left was not committed
        }
        if (watcher != null) {
            watcher.close();
        }
        http.close();
        models.close();
        log.info("Detector {} stopped", config.applicationId());
    }
}
