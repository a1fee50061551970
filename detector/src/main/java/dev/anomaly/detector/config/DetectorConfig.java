package dev.anomaly.detector.config;

import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.registry.RegistryClientConfig;
import dev.anomaly.schemas.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

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
                             DriftSettings drift, Guards guards, boolean createTopics, Map<String, Object> kafka) {

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

    /** Our keys with their defaults and one-line docs (printed by {@code anomaly detect --print-config}). */
    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put(INPUT_TOPICS, new String[]{"", "Comma-separated input topics of Avro records (required)."});
        k.put(ALERT_TOPIC, new String[]{"anomaly-alerts", "Topic for Alert records."});
        k.put(DEAD_LETTER_TOPIC, new String[]{"anomaly-deadletter", "Topic for records that cannot be scored: original key, value and headers plus anomaly.error.* headers."});
        k.put(SCORES_TOPIC, new String[]{"", "If set, every scored record's score goes here (key as input; value: score as text)."});
        k.put(MODELS_TOPIC, new String[]{"anomaly-models", "Compacted topic of ModelRelease records, keyed by model id."});
        k.put(MODEL_ID, new String[]{"", "Model id to serve from the models topic (default: the id in detector.model.path's metadata)."});
        k.put(MODEL_PATH, new String[]{"", "ONNX model file to start with (optional when the models topic has a release)."});
        k.put(BATCH_SIZE, new String[]{"512", "Records per ONNX Runtime call, at most."});
        k.put(BATCH_LINGER_MS, new String[]{"5", "Longest a buffered record waits for its batch to fill (wall clock)."});
        k.put(DEVICE, new String[]{"cpu", "cpu, cuda or cuda:N (falls back to cpu with a warning)."});
        k.put(INTRA_OP_THREADS, new String[]{"1", "ONNX Runtime threads per scoring call."});
        k.put(SCORING_THREADS, new String[]{"", "Threads that decode, extract and score full batches while the stream threads read"
                + " on (shared by all of them; default: one per stream thread, num.stream.threads); 0 scores on the stream threads."});
        k.put(TOP_FEATURES, new String[]{"3", "Contributing features listed in each alert."});
        k.put(HTTP_HOST, new String[]{"0.0.0.0", "Address of the /metrics and /health endpoints."});
        k.put(HTTP_PORT, new String[]{"8080", "Port of the /metrics and /health endpoints (0: any free port)."});
        k.put(SERDE_CLASS, new String[]{AvroSerdes.DEFAULT_GENERIC_SERDE, "Serde<GenericRecord> for the input, by class name (e.g. Confluent's GenericAvroSerde)."});
        k.put(CREATE_TOPICS, new String[]{"false", "Create missing output and models topics at start-up (broker defaults; models topic compacted) instead of refusing to start."});
        Guards.KEYS.forEach(k::put);
        DriftSettings.KEYS.forEach(k::put);
        k.put(StreamsConfig.APPLICATION_ID_CONFIG, new String[]{"anomaly-detector", "Kafka Streams application id (consumer group, state directory)."});
        k.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, new String[]{StreamsConfig.EXACTLY_ONCE_V2, "exactly_once_v2 or at_least_once."});
        return k;
    }

    public static DetectorConfig load(Path file, Map<String, String> env) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Configuration file " + file + " does not exist (or is not a file)");
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k).trim()));
        return fromMap(withEnvironment(map, env));
    }

    /** {@code ANOMALY_DETECTOR_X_Y} → {@code detector.x.y}; {@code KAFKA_X_Y} → {@code x.y}. */
    public static Map<String, String> withEnvironment(Map<String, String> base, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>(base);
        env.forEach((k, v) -> {
            if (k.startsWith("ANOMALY_DETECTOR_")) {
                out.put("detector." + k.substring("ANOMALY_DETECTOR_".length()).toLowerCase().replace('_', '.'), v);
            } else if (k.startsWith("KAFKA_")) {
                out.put(k.substring("KAFKA_".length()).toLowerCase().replace('_', '.'), v);
            }
        });
        return out;
    }

    public static DetectorConfig fromMap(Map<String, String> raw) {
        Map<String, String> m = new LinkedHashMap<>(raw);
        List<String> unknown = new ArrayList<>();
        for (String key : m.keySet()) {
            if (key.startsWith("detector.") && !KEYS.containsKey(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown configuration key(s) " + unknown + "; known detector.* keys: " + KEYS.keySet());
        }
        List<String> inputs = Arrays.stream(get(m, INPUT_TOPICS).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("Missing required configuration '" + INPUT_TOPICS + "' (comma-separated input topics)");
        }
        require(m, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        require(m, RegistryClientConfig.URL);
        String guarantee = get(m, StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (!guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2) && !guarantee.equals(StreamsConfig.AT_LEAST_ONCE)) {
            throw new IllegalArgumentException("Invalid '" + StreamsConfig.PROCESSING_GUARANTEE_CONFIG + "': " + guarantee
                    + " (exactly_once_v2 or at_least_once)");
        }
        Optional<Path> modelPath = optional(m, MODEL_PATH).map(Path::of);
        modelPath.ifPresent(p -> {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("Invalid '" + MODEL_PATH + "': no such file " + p);
            }
        });
        ScoringOptions scoring;
        try {
            scoring = new ScoringOptions(get(m, DEVICE), intIn(m, INTRA_OP_THREADS, 1, 64));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid '" + DEVICE + "': " + e.getMessage(), e);
        }
        Map<String, Object> kafka = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (!k.startsWith("detector.")) {
                kafka.put(k, v);
            }
        });
        kafka.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, KEYS.get(StreamsConfig.APPLICATION_ID_CONFIG)[0]);
        kafka.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        int lingerMs = intIn(m, BATCH_LINGER_MS, 1, 60_000);
        latencyDefaults(lingerMs).forEach((k, v) -> {
            // Not over a setting the user made for all clients, or for the main consumer only.
            String plain = k.replaceFirst("^(producer|consumer)\\.", "");
            if (!kafka.containsKey(k) && !kafka.containsKey(plain) && !kafka.containsKey(StreamsConfig.mainConsumerPrefix(plain))) {
                kafka.put(k, v);
            }
        });
        String alerts = get(m, ALERT_TOPIC);
        String dead = get(m, DEAD_LETTER_TOPIC);
        Optional<String> scores = optional(m, SCORES_TOPIC);
        for (String in : inputs) {
            if (in.equals(alerts) || in.equals(dead) || scores.map(in::equals).orElse(false)) {
                throw new IllegalArgumentException("Invalid '" + INPUT_TOPICS + "': " + in + " is also an output topic");
            }
        }
        return new DetectorConfig(inputs, alerts, dead, scores, get(m, MODELS_TOPIC), optional(m, MODEL_ID).orElse(""), modelPath,
                intIn(m, BATCH_SIZE, 1, 65_536), Duration.ofMillis(intIn(m, BATCH_LINGER_MS, 1, 60_000)), scoring,
                optional(m, SCORING_THREADS).isPresent() ? intIn(m, SCORING_THREADS, 0, 64) : streamThreads(m),
                intIn(m, TOP_FEATURES, 1, 100), get(m, HTTP_HOST), intIn(m, HTTP_PORT, 0, 65_535), get(m, SERDE_CLASS),
                DriftSettings.fromMap(m), Guards.fromMap(m), bool(m, CREATE_TOPICS), Map.copyOf(kafka));
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
        return m.containsKey(StreamsConfig.NUM_STREAM_THREADS_CONFIG)
                ? Math.min(intIn(m, StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1, Integer.MAX_VALUE), 64) : 1;
    }

    public boolean exactlyOnce() {
        return StreamsConfig.EXACTLY_ONCE_V2.equals(kafka.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }

    public String applicationId() {
        return kafka.get(StreamsConfig.APPLICATION_ID_CONFIG).toString();
    }

    static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null || v.isEmpty()) {
            String[] d = KEYS.get(key);
            return d == null ? "" : d[0];
        }
        return v;
    }

    static boolean bool(Map<String, String> m, String key) {
        String v = get(m, key).trim();
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("Invalid '" + key + "': expected true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** Every topic the detector writes to. */
    public List<String> outputTopics() {
        List<String> out = new ArrayList<>(List.of(alertTopic, deadLetterTopic));
        scoresTopic.ifPresent(out::add);
        if (drift.enabled()) {
            out.add(drift.topic());
        }
        return out;
    }

    private static Optional<String> optional(Map<String, String> m, String key) {
        String v = get(m, key);
        return v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    private static void require(Map<String, String> m, String key) {
        if (m.get(key) == null || m.get(key).isBlank()) {
            throw new IllegalArgumentException("Missing required configuration '" + key + "'");
        }
    }

    static int intIn(Map<String, String> m, String key, int min, int max) {
        String v = get(m, key);
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new IllegalArgumentException("Invalid '" + key + "': " + i + " is outside [" + min + ", " + max + "]");
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid '" + key + "': not a whole number: '" + v + "'", e);
        }
    }

    static double doubleIn(Map<String, String> m, String key, double min, double max) {
        String v = get(m, key);
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d >= min && d <= max)) {
                throw new IllegalArgumentException("Invalid '" + key + "': " + d + " is outside [" + min + ", " + max + "]");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid '" + key + "': not a number: '" + v + "'", e);
        }
    }
}
