package dev.anomaly.detector.config;

import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.registry.RegistryClientConfig;
import dev.anomaly.schemas.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import dev.anomaly.detector.episodes.EpisodeSettings;
import dev.anomaly.detector.scoring.ModelAdmission;
import dev.anomaly.schemas.config.ToolConfig;
import dev.anomaly.schemas.release.TrustedKeys;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The detector's settings: {@code detector.*} keys are ours; every other key (bootstrap.servers, SASL/SSL settings,
 * schema.registry.url, any Kafka Streams or client property) passes through to Kafka Streams and the serdes.
 * Read from a properties file, then overridden by environment variables: {@code ANOMALY_DETECTOR_BATCH_SIZE} sets
 * {@code detector.batch.size}, {@code KAFKA_SECURITY_PROTOCOL} sets {@code security.protocol}. Validated at start-up;
 * every error names the key.
 */
public record DetectorConfig(List<String> inputTopics, String alertTopic, String deadLetterTopic, Optional<String> scoresTopic,
                             String modelsTopic, String modelId, Optional<Path> modelPath, int batchSize, Duration linger,
                             ScoringOptions scoring, int scoringThreads, int topFeatures, String httpHost, int httpPort, String serdeClass,
                             DriftSettings drift, EpisodeSettings episodes, dev.anomaly.detector.windows.WindowSettings windows, Guards guards, TrustedKeys trustedKeys, Optional<String> modelEventsTopic,
                             ModelAdmission.Shadow shadow,
                             boolean createTopics, Map<String, Object> kafka) {

    public static final String INPUT_TOPICS = "detector.input.topics";
    public static final String ALERT_TOPIC = "detector.alert.topic";
    public static final String DEAD_LETTER_TOPIC = "detector.deadletter.topic";
    public static final String SCORES_TOPIC = "detector.scores.topic";
    public static final String MODELS_TOPIC = "detector.models.topic";
    public static final String MODEL_ID = "detector.model.id";
    public static final String MODEL_PATH = "detector.model.path";
    public static final String BATCH_SIZE = "detector.batch.size";
    public static final String BATCH_LINGER_MS = "detector.batch.linger.ms";
    public static final String DEVICE = "detector.device";
    public static final String INTRA_OP_THREADS = "detector.intra.op.threads";
    public static final String SCORING_THREADS = "detector.scoring.threads";
    public static final String TOP_FEATURES = "detector.top.features";
    public static final String HTTP_HOST = "detector.http.host";
    public static final String HTTP_PORT = "detector.http.port";
    public static final String SERDE_CLASS = "detector.serde.class";
    public static final String CREATE_TOPICS = "detector.topics.create";
    public static final String TRUSTED_KEYS = "detector.models.trusted.keys";
    public static final String ALLOW_UNSIGNED = "detector.models.allow.unsigned";
    public static final String MODEL_EVENTS_TOPIC = "detector.model.events.topic";
    public static final String SHADOW_RECORDS = "detector.models.shadow.records";
    public static final String SHADOW_MAX_FACTOR = "detector.models.shadow.max.alert.factor";

    /** Our keys: type, validator, default, doc; {@code anomaly detect --print-config} prints them. */
    public static final ConfigDef DEFINITION = definition();
    /** The file, the environment ({@code ANOMALY_DETECTOR_X_Y}, {@code KAFKA_X_Y}) and {@link #DEFINITION}. */
    public static final ToolConfig CONFIG = new ToolConfig(DEFINITION, "detector.", "ANOMALY_DETECTOR_");

    private static ConfigDef definition() {
        ConfigDef d = new ConfigDef()
                .define(INPUT_TOPICS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "Comma-separated input topics of Avro records.")
                .define(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "Kafka brokers.")
                .define(RegistryClientConfig.URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                        "Schema registry base URL(s), Confluent API (Apicurio: .../apis/ccompat/v7).")
                .define(ALERT_TOPIC, Type.STRING, "anomaly-alerts", Importance.HIGH, "Topic for Alert records.")
                .define(DEAD_LETTER_TOPIC, Type.STRING, "anomaly-deadletter", Importance.HIGH,
                        "Topic for records that cannot be scored: original key, value and headers plus anomaly.error.* headers.")
                .define(SCORES_TOPIC, Type.STRING, "", Importance.LOW,
                        "If set, every scored record's score goes here (key as input; value: score as text).")
                .define(MODELS_TOPIC, Type.STRING, "anomaly-models", Importance.HIGH, "Compacted topic of ModelRelease records, keyed by model id.")
                .define(MODEL_ID, Type.STRING, "", Importance.HIGH,
                        "Model id to serve from the models topic (default: the id in detector.model.path's metadata).")
                .define(MODEL_PATH, Type.STRING, "", Importance.HIGH, "ONNX model file to start with (optional when the models topic has a release).")
                .define(TRUSTED_KEYS, Type.LIST, "", Importance.HIGH,
                        "Public keys (PEM .pub files, or directories of them) whose signatures make a release on the models topic eligible to serve.")
                .define(MODEL_EVENTS_TOPIC, Type.STRING, "anomaly-model-events", Importance.MEDIUM,
                        "Topic of ModelEvent records: each model served, refused (with the reason) or reverted; empty: none.")
                .define(SHADOW_RECORDS, Type.LONG, 5_000L, Range.between(0L, 100_000_000L), Importance.MEDIUM,
                        "Records a new release scores in shadow beside the serving model (no alerts of its own) before it may replace it; 0: replace at once.")
                .define(SHADOW_MAX_FACTOR, Type.DOUBLE, 3.0, Range.between(1.0, 1000.0), Importance.MEDIUM,
                        "A release in shadow is promoted if its alert rate is within this factor of its own target either way; otherwise rejected.")
                .define(ALLOW_UNSIGNED, Type.BOOLEAN, false, Importance.MEDIUM,
                        "Serve unsigned releases from the models topic (a release signed by an unknown key, or badly, is refused regardless).")
                .define(BATCH_SIZE, Type.INT, 512, Range.between(1, 65_536), Importance.MEDIUM, "Records per ONNX Runtime call, at most.")
                .define(BATCH_LINGER_MS, Type.INT, 5, Range.between(1, 60_000), Importance.MEDIUM,
                        "Longest a buffered record waits for its batch to fill (wall clock).")
                .define(DEVICE, Type.STRING, "cpu", Importance.MEDIUM, "cpu, cuda or cuda:N (falls back to cpu with a warning).")
                .define(INTRA_OP_THREADS, Type.INT, 1, Range.between(1, 64), Importance.LOW, "ONNX Runtime threads per scoring call.")
                .define(SCORING_THREADS, Type.INT, null, (name, value) -> {
                    if (value != null) {
                        Range.between(0, 64).ensureValid(name, value); // unset: one per stream thread
                    }
                }, Importance.LOW, "Threads that decode, extract and score full"
                        + " batches while the stream threads read on (shared by all of them; default: one per stream thread,"
                        + " num.stream.threads); 0 scores on the stream threads.")
                .define(TOP_FEATURES, Type.INT, 3, Range.between(1, 100), Importance.LOW, "Contributing features listed in each alert.")
                .define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.LOW, "Address of the /metrics and /health endpoints.")
                .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65_535), Importance.LOW,
                        "Port of the /metrics and /health endpoints (0: any free port).")
                .define(SERDE_CLASS, Type.STRING, AvroSerdes.DEFAULT_GENERIC_SERDE, Importance.LOW,
                        "Serde<GenericRecord> for the input, by class name (e.g. Confluent's GenericAvroSerde).")
                .define(CREATE_TOPICS, Type.BOOLEAN, false, Importance.LOW,
                        "Create missing output and models topics at start-up (broker defaults; models topic compacted) instead of refusing to start.");
        Guards.define(d);
        DriftSettings.define(d);
        EpisodeSettings.define(d);
        dev.anomaly.detector.windows.WindowSettings.define(d);
        return d.define(StreamsConfig.APPLICATION_ID_CONFIG, Type.STRING, "anomaly-detector", Importance.HIGH,
                        "Kafka Streams application id (consumer group, state directory).")
                .define(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
                        ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.HIGH,
                        "exactly_once_v2 or at_least_once.");
    }

    public static DetectorConfig load(Path file, Map<String, String> env) throws IOException {
        return fromMap(withEnvironment(ToolConfig.read(file), env));
    }

    /** {@code ANOMALY_DETECTOR_X_Y} → {@code detector.x.y}; {@code KAFKA_X_Y} → {@code x.y}. */
    public static Map<String, String> withEnvironment(Map<String, String> base, Map<String, String> env) {
        return CONFIG.withEnvironment(base, env);
    }

    public static DetectorConfig fromMap(Map<String, String> raw) {
        ToolConfig.Values v = CONFIG.parse(raw);
        List<String> inputs = v.list(INPUT_TOPICS);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("Missing required configuration '" + INPUT_TOPICS + "' (comma-separated input topics)");
        }
        String guarantee = v.string(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        Optional<Path> modelPath = v.optional(MODEL_PATH).map(Path::of);
        modelPath.ifPresent(p -> {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("Invalid '" + MODEL_PATH + "': no such file " + p);
            }
        });
        ScoringOptions scoring;
        try {
            scoring = new ScoringOptions(v.string(DEVICE), v.integer(INTRA_OP_THREADS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid '" + DEVICE + "': " + e.getMessage(), e);
        }
        Map<String, Object> kafka = CONFIG.passThrough(raw);
        kafka.put(StreamsConfig.APPLICATION_ID_CONFIG, v.string(StreamsConfig.APPLICATION_ID_CONFIG));
        kafka.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        int lingerMs = v.integer(BATCH_LINGER_MS);
        latencyDefaults(lingerMs).forEach((k, value) -> {
            // Not over a setting the user made for all clients, or for the main consumer only.
            String plain = k.replaceFirst("^(producer|consumer)\\.", "");
            if (!kafka.containsKey(k) && !kafka.containsKey(plain) && !kafka.containsKey(StreamsConfig.mainConsumerPrefix(plain))) {
                kafka.put(k, value);
            }
        });
        String alerts = v.string(ALERT_TOPIC);
        String dead = v.string(DEAD_LETTER_TOPIC);
        Optional<String> scores = v.optional(SCORES_TOPIC);
        for (String in : inputs) {
            if (in.equals(alerts) || in.equals(dead) || scores.map(in::equals).orElse(false)) {
                throw new IllegalArgumentException("Invalid '" + INPUT_TOPICS + "': " + in + " is also an output topic");
            }
        }
        TrustedKeys trusted;
        try {
            trusted = TrustedKeys.read(v.list(TRUSTED_KEYS).stream().map(Path::of).toList(), v.bool(ALLOW_UNSIGNED));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid '" + TRUSTED_KEYS + "': " + e.getMessage(), e);
        }
        if (trusted.keyIds().isEmpty() && !trusted.allowUnsigned() && modelPath.isEmpty()) {
            throw new IllegalArgumentException("Missing '" + TRUSTED_KEYS + "': with no trusted key and no '" + MODEL_PATH
                    + "' no model could ever serve (releases must be signed; or set " + ALLOW_UNSIGNED + "=true)");
        }
        Object scoringThreads = v.values().get(SCORING_THREADS);
        return new DetectorConfig(inputs, alerts, dead, scores, v.string(MODELS_TOPIC), v.string(MODEL_ID), modelPath,
                v.integer(BATCH_SIZE), Duration.ofMillis(lingerMs), scoring,
                scoringThreads != null ? ((Number) scoringThreads).intValue() : streamThreads(raw),
                v.integer(TOP_FEATURES), v.string(HTTP_HOST), v.integer(HTTP_PORT), v.string(SERDE_CLASS),
                DriftSettings.of(v), EpisodeSettings.of(v), dev.anomaly.detector.windows.WindowSettings.of(v), Guards.of(v), trusted, v.optional(MODEL_EVENTS_TOPIC),
                new ModelAdmission.Shadow(v.longValue(SHADOW_RECORDS), v.decimal(SHADOW_MAX_FACTOR)), v.bool(CREATE_TOPICS), Map.copyOf(kafka));
    }

    /**
     * Kafka Streams settings the detector changes unless they are set: Streams lets its producer wait 100 ms to fill
     * batches and its consumer block 100 ms in a poll, and both would add to every alert's latency (the poll also
     * delays the linger punctuation). Alerts are a small stream; their latency matters more than batching them.
     * The consumers' TCP receive buffer is left to the OS (which sizes it to the traffic) instead of Kafka's fixed
     * 64 KB: with 64 KB, fetch responses the broker had read reached the stream thread up to ~200 ms late, every second
     * or so at some input rates (docs/benchmarks.md), as if waiting out the kernel's delayed-ACK timer for a window update.
     */
    public static Map<String, String> latencyDefaults(int batchLingerMs) {
        return Map.of(StreamsConfig.producerPrefix("linger.ms"), "5",
                StreamsConfig.POLL_MS_CONFIG, Integer.toString(Math.min(100, batchLingerMs)),
                StreamsConfig.consumerPrefix(ConsumerConfig.RECEIVE_BUFFER_CONFIG), "-1",
                // Recovery: after a crash (kill -9, OOM, node loss) the group reassigns the dead instance's partitions
                // only once its session expires — 45 s with Kafka's default, 10 s here (docs/detector.md, Failure modes).
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
    }

    /**
     * Kafka Streams' {@code num.stream.threads}: the default number of scoring threads, so that the decoding the stream
     * threads hand over runs on as many threads as it would have on theirs.
     */
    private static int streamThreads(Map<String, String> m) {
        String v = m.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        if (v == null || v.isBlank()) {
            return 1;
        }
        try {
            int threads = Integer.parseInt(v.trim());
            if (threads < 1) {
                throw new IllegalArgumentException("Invalid '" + StreamsConfig.NUM_STREAM_THREADS_CONFIG + "': " + threads + " (at least 1)");
            }
            return Math.min(threads, 64);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid '" + StreamsConfig.NUM_STREAM_THREADS_CONFIG + "': not a whole number: '" + v + "'", e);
        }
    }

    public boolean exactlyOnce() {
        return StreamsConfig.EXACTLY_ONCE_V2.equals(kafka.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }

    public String applicationId() {
        return kafka.get(StreamsConfig.APPLICATION_ID_CONFIG).toString();
    }

    /** Every topic the detector writes to. */
    public List<String> outputTopics() {
        List<String> out = new ArrayList<>(List.of(alertTopic, deadLetterTopic));
        scoresTopic.ifPresent(out::add);
        modelEventsTopic.ifPresent(out::add);
        episodes.topic().ifPresent(out::add);
        if (drift.enabled()) {
            out.add(drift.topic());
        }
        return out;
    }
}
