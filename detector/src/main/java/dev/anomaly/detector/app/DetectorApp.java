package dev.anomaly.detector.app;

import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.ops.HealthState;
import dev.anomaly.detector.ops.HttpEndpoints;
import dev.anomaly.detector.scoring.InputSchemas;
import dev.anomaly.detector.scoring.ModelAdmission;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.ShadowTrial;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.detector.topology.DeadLetterLimit;
import dev.anomaly.detector.topology.DetectorTopology;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.AlertEpisode;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.schemas.registry.SchemaNotFoundException;
import dev.anomaly.schemas.registry.SchemaRegistries;
import dev.anomaly.schemas.registry.SchemaRegistry;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import dev.anomaly.schemas.serde.AvroSerdes;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the detector. Start-up, in order: the HTTP endpoints (live, not ready), the broker (waited for), the topics
 * (checked, or created when allowed), the dead-letter size limit, the model (from the file and/or the models topic,
 * through {@link ModelAdmission}), and Kafka Streams — started only once a model serves, so that no record is read
 * before something can score it. A probe keeps health current (broker, registry, stalled threads) and re-checks a model
 * that waits for the input schema. The topology says what; this class owns how.
 */
public final class DetectorApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DetectorApp.class);
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);

    private final DetectorConfig config;
    private final HttpEndpoints http;
    private final HealthState health;
    private final DetectorMetrics metrics;
    private final KafkaChecks checks;
    private final SchemaRegistry registry;
    private final ModelHolder models;
    private final ModelAdmission admission;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean streamsStarted = new AtomicBoolean();
    private final ScheduledExecutorService probe;
    private ModelReleaseWatcher watcher;
    private ModelEvents events;
    private KafkaStreams streams;
    private ExecutorService scoring;
    private volatile boolean closed;

    private DetectorApp(DetectorConfig config, HttpEndpoints http, HealthState health, DetectorMetrics metrics, KafkaChecks checks,
                        SchemaRegistry registry, ModelHolder models, ModelAdmission admission) {
        this.config = config;
        this.http = http;
        this.health = health;
        this.metrics = metrics;
        this.checks = checks;
        this.registry = registry;
        this.models = models;
        this.admission = admission;
        this.probe = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "anomaly-health-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts everything; fails fast on bad configuration, missing topics or a bad model file. */
    public static DetectorApp start(DetectorConfig config, Supplier<BatchObserver> observers) throws IOException {
        return start(config, metrics -> observers);
    }

    /** Starts with the drift monitor the configuration asks for. */
    public static DetectorApp start(DetectorConfig config) throws IOException {
        return start(config, DetectCommand.observers(config));
    }

    static DetectorApp start(DetectorConfig config, Function<DetectorMetrics, Supplier<BatchObserver>> observerFactory) throws IOException {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DetectorMetrics metrics = new DetectorMetrics(meters);
        HealthState health = new HealthState(Clock.systemUTC(), config.guards().scoringTimeout(), config.guards().stallTimeout());
        HttpEndpoints http;
        try {
            http = new HttpEndpoints(config.httpHost(), config.httpPort(), meters, health::evaluate);
        } catch (IOException e) {
            throw new StartupException(e.getMessage() + " (" + DetectorConfig.HTTP_HOST + ", " + DetectorConfig.HTTP_PORT + ")", e);
        }
        AtomicReference<DetectorApp> self = new AtomicReference<>();
        KafkaChecks checks = null;
        ModelEvents events = null;
        DetectorApp app = null;
        try {
            checks = new KafkaChecks(config.kafka());
            try {
                checks.awaitBroker(health::broker);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("Interrupted while waiting for Kafka", e);
            }
            Optional<String> modelsTopic = Optional.of(config.modelsTopic());
            boolean followReleases = true;
            try {
                checks.ensureTopics(config.inputTopics(), config.outputTopics(), modelsTopic, config.createTopics());
            } catch (StartupException e) {
                // Without a models topic, a model file is enough: the detector then serves that file alone.
                if (config.modelPath().isEmpty() || !e.getMessage().contains(config.modelsTopic())) {
                    throw e;
                }
                checks.ensureTopics(config.inputTopics(), config.outputTopics(), Optional.empty(), config.createTopics());
                log.warn("Models topic '{}' does not exist: serving {} without following releases", config.modelsTopic(), config.modelPath().get());
                followReleases = false;
            }
            DeadLetterLimit deadLetterLimit = new DeadLetterLimit(checks.deadLetterMaxBytes(config.deadLetterTopic(),
                    config.guards().deadLetterMaxBytes()));

            ModelEvents modelEvents = new ModelEvents(metrics, config.modelEventsTopic(), config.applicationId(), config.kafka());
            events = modelEvents;
            ModelHolder models = new ModelHolder(new ModelHolder.Events() {
                @Override
                public void swapped(ModelMetadata serving) {
                    metrics.modelSwapped(serving.version());
                    health.model(serving.modelId() + " v" + serving.version(), true);
                    DetectorApp a = self.get();
                    if (a != null) {
                        a.startStreams();
                    }
                }

                @Override
                public void reverted(ModelMetadata failed, ModelMetadata restored, String why) {
                    metrics.modelReverted();
                    modelEvents.reverted(failed.modelId(), failed.version(), why);
                    metrics.modelSwapped(restored.version());
                    health.model(restored.modelId() + " v" + restored.version() + " (v" + failed.version() + " reverted)", true);
                }
            }, config.guards().probationRecords());
            // The candidate in shadow, if any: its version (-1: none), records scored so far and its alert rate on them.
            meters.gauge("anomaly.model.shadow.version", models, h -> h.shadowTrial().map(t -> (double) t.metadata().version()).orElse(-1.0));
            meters.gauge("anomaly.model.shadow.records", models, h -> h.shadowTrial().map(t -> (double) t.scored()).orElse(0.0));
            meters.gauge("anomaly.model.shadow.alert.rate", models, h -> h.shadowTrial().map(ShadowTrial::alertRate).orElse(0.0));
            SchemaRegistry schemaRegistry = SchemaRegistries.fromConfig(config.kafka());
            ModelAdmission admission = new ModelAdmission(models, config.scoring(), config.batchSize(),
                    () -> InputSchemas.lookup(schemaRegistry, config.inputTopics()), modelEvents, config.shadow());
            app = new DetectorApp(config, http, health, metrics, checks, schemaRegistry, models, admission);
            app.events = modelEvents;
            if (config.modelPath().isPresent()) {
                var path = config.modelPath().get();
                ModelAdmission.Outcome outcome = admission.offer(Files.readAllBytes(path), "file " + path, null);
                if (outcome.verdict() == ModelAdmission.Verdict.REJECTED) {
                    throw new ModelException("Model file " + path + " rejected: " + outcome.message());
                }
            }
            if (followReleases) {
                Supplier<String> modelId = () -> !config.modelId().isEmpty() ? config.modelId()
                        : models.metadata().map(ModelMetadata::modelId).or(() -> admission.waiting().map(ModelMetadata::modelId)).orElse("");
                app.watcher = new ModelReleaseWatcher(config.modelsTopic(), modelId, models, admission, config.guards().modelMaxBytes(),
                        config.trustedKeys(), health, config.kafka());
                app.watcher.start(Duration.ofSeconds(60));
            }
            app.buildStreams(observerFactory.apply(metrics), deadLetterLimit, meters);
            self.set(app);
            app.probe.scheduleWithFixedDelay(self.get()::probe, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            if (models.metadata().isPresent()) {
                app.startStreams();
            } else {
                health.phase(HealthState.Phase.WAITING_FOR_MODEL);
                health.model(admission.waiting().map(m -> m.modelId() + " v" + m.version() + " waiting for the input schema")
                        .orElse("none yet"), false);
                log.warn("No model to serve yet: waiting (not ready) for {}", followReleases
                        ? "a release on '" + config.modelsTopic() + "'" + (config.modelId().isEmpty() ? "" : " for '" + config.modelId() + "'")
                        + (admission.waiting().isPresent() ? " or the input schema" : "")
                        : "the input schema");
            }
            return app;
        } catch (RuntimeException | IOException e) {
            if (app != null) {
                app.close();
            } else {
                http.close();
                if (checks != null) {
                    checks.close();
                }
                if (events != null) {
                    events.close();
                }
            }
            throw e;
        }
    }

    private void buildStreams(Supplier<BatchObserver> observers, DeadLetterLimit deadLetterLimit, PrometheusMeterRegistry meters) {
        Serde<GenericRecord> input = AvroSerdes.genericSerde(config.serdeClass(), config.kafka(), false);
        SpecificAvroSerde<Alert> alerts = new SpecificAvroSerde<>(Alert.class);
        alerts.configure(config.kafka(), false);
        SpecificAvroSerde<DriftEvent> drift = new SpecificAvroSerde<>(DriftEvent.class);
        drift.configure(config.kafka(), false);
        // A batch of one has nothing to overlap with: handing each record to another thread only adds a wait.
        scoring = scoringThreads(config.batchSize() > 1 ? config.scoringThreads() : 0);
        SpecificAvroSerde<AlertEpisode> episodes = new SpecificAvroSerde<>(AlertEpisode.class);
        episodes.configure(config.kafka(), false);
        Topology topology = DetectorTopology.build(config, new DetectorTopology.Parts(models, input.deserializer(), alerts,
                drift.serializer(), episodes.serializer(), metrics, observers, Clock.systemUTC(), scoring, deadLetterLimit, health));
        log.info("Topology:\n{}", topology.describe());

        Properties props = new Properties();
        props.putAll(config.kafka());
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class.getName());
        props.put(DeadLetterProductionHandler.LIMIT, deadLetterLimit);
        props.put(DeadLetterProductionHandler.TOPIC, config.deadLetterTopic());
        streams = new KafkaStreams(topology, props);
        streams.setUncaughtExceptionHandler(new StreamFailurePolicy(health, metrics::recordsRouted));
        streams.setStateListener((now, before) -> {
            health.streamsState(now.name());
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                health.phase(now == KafkaStreams.State.ERROR ? HealthState.Phase.FAILED : HealthState.Phase.STOPPED);
                terminated.countDown();
            }
        });
        new KafkaStreamsMetrics(streams).bindTo(meters);
    }

    /** Starts Kafka Streams once: when the first model serves. */
    private void startStreams() {
        if (closed || streams == null || !streamsStarted.compareAndSet(false, true)) {
            return;
        }
        health.phase(HealthState.Phase.RUNNING);
        streams.start();
        log.info("Detector {} started: inputs {}, alerts -> {}, dead letters -> {}, {} (batch {}, linger {} ms, scoring threads {}), http :{}",
                config.applicationId(), config.inputTopics(), config.alertTopic(), config.deadLetterTopic(),
                config.kafka().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG), config.batchSize(), config.linger().toMillis(),
                config.batchSize() > 1 ? config.scoringThreads() : 0, http.port());
    }

    /** Keeps health current and gives a model waiting for the input schema its check. Runs on the probe thread. */
    private void probe() {
        try {
            health.broker(checks.brokerProblem(Duration.ofSeconds(3)));
            health.registry(registryProblem());
            admission.recheck().ifPresent(outcome -> {
                if (outcome.verdict() == ModelAdmission.Verdict.REJECTED && models.metadata().isEmpty()) {
                    health.model("none (" + outcome.message() + ")", false);
                }
            });
            if (streamsStarted.get() && streams.state() == KafkaStreams.State.RUNNING) {
                Set<String> busy = new HashSet<>();
                for (ThreadMetadata t : streams.metadataForLocalThreads()) {
                    if (!t.activeTasks().isEmpty()) {
                        busy.add(t.threadName());
                    }
                }
                health.threadsWithTasks(busy);
            }
        } catch (RuntimeException e) {
            log.warn("Health probe failed: {}", e.toString());
        }
    }

    /** Null when the registry answers (even "not found"), else why it cannot be used now. */
    private String registryProblem() {
        try {
            registry.latest(config.inputTopics().get(0) + "-value");
            return null;
        } catch (SchemaNotFoundException e) {
            return null;
        } catch (SchemaRegistryException e) {
            return e.unavailable() ? e.getMessage() : null;
        } catch (RuntimeException e) {
            return e.toString();
        }
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
        return streams != null && streams.state() == KafkaStreams.State.ERROR;
    }

    /** Waits until Kafka Streams is RUNNING (a model serves, tasks assigned and restored); false on timeout or failure. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!streamsStarted.get() || streams.state() != KafkaStreams.State.RUNNING) {
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

    public HealthState.Health health() {
        return health.evaluate();
    }

    public int httpPort() {
        return http.port();
    }

    /** Graceful stop: Streams commits and closes (within 30 s), then the watcher, the probe, the endpoints and the model. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        probe.shutdownNow();
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
        if (scoring != null) {
            scoring.shutdown(); // Streams has routed every batch it committed; what is left was not committed
        }
        if (watcher != null) {
            watcher.close();
        }
        health.phase(HealthState.Phase.STOPPED);
        terminated.countDown();
        http.close();
        admission.close();
        models.close();
        if (events != null) {
            events.close();
        }
        checks.close();
        registry.close();
        log.info("Detector {} stopped", config.applicationId());
    }
}
