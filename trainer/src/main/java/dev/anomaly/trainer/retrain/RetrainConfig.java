package dev.anomaly.trainer.retrain;

import dev.anomaly.schemas.registry.RegistryClientConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Settings of the retraining job: {@code retrain.*} keys are ours, everything else goes to the Kafka clients and the
 * registry serde. {@code ANOMALY_RETRAIN_X_Y} and {@code KAFKA_X_Y} environment variables override the file.
 */
public record RetrainConfig(String driftTopic, String modelsTopic, String inputTopic, String alertsTopic, String modelId,
                            long lastRecords, boolean excludeAlerted, String groupId, double maxFalseAlarmFactor,
                            double minSyntheticRecall, int epochs, Map<String, Object> kafka) {

    public static final Map<String, String[]> KEYS = keys();

    private static Map<String, String[]> keys() {
        Map<String, String[]> k = new LinkedHashMap<>();
        k.put("retrain.drift.topic", new String[]{"anomaly-drift", "Drift events to react to."});
        k.put("retrain.models.topic", new String[]{"anomaly-models", "Compacted models topic: the current release is read from it, the new one written to it."});
        k.put("retrain.input.topic", new String[]{"", "Topic of recent records to train on (required)."});
        k.put("retrain.alerts.topic", new String[]{"anomaly-alerts", "Alerts topic, to leave alerted records out of the training data."});
        k.put("retrain.model.id", new String[]{"", "Model id to retrain (required)."});
        k.put("retrain.records.last", new String[]{"50000", "Train on the last N records of the input topic."});
        k.put("retrain.exclude.alerted", new String[]{"true", "Leave out records the serving model alerted on."});
        k.put("retrain.group.id", new String[]{"anomaly-retrain", "Consumer group on the drift topic (one retraining per event)."});
        k.put("retrain.max.false.alarm.factor", new String[]{"3", "Reject a candidate whose alert rate on held-back recent records exceeds this multiple of its target."});
        k.put("retrain.min.synthetic.recall", new String[]{"0.9", "Reject a candidate that flags less than this share of records pushed beyond the training range."});
        k.put("retrain.epochs", new String[]{"100", "Maximum training epochs."});
        return k;
    }

    public static RetrainConfig load(Path file, Map<String, String> env) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Configuration file " + file + " does not exist (or is not a file)");
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return fromMap(withEnvironment(m, env));
    }

    /** Settings from environment variables alone: {@code ANOMALY_RETRAIN_X_Y} → {@code retrain.x.y}, {@code KAFKA_X_Y} → {@code x.y}. */
    public static RetrainConfig fromEnvironment(Map<String, String> env) {
        return fromMap(withEnvironment(new LinkedHashMap<>(), env));
    }

    private static Map<String, String> withEnvironment(Map<String, String> m, Map<String, String> env) {
        env.forEach((k, v) -> {
            if (k.startsWith("ANOMALY_RETRAIN_")) {
                m.put("retrain." + k.substring("ANOMALY_RETRAIN_".length()).toLowerCase().replace('_', '.'), v);
            } else if (k.startsWith("KAFKA_")) {
                m.put(k.substring("KAFKA_".length()).toLowerCase().replace('_', '.'), v);
            }
        });
        return m;
    }

    public static RetrainConfig fromMap(Map<String, String> m) {
        for (String key : m.keySet()) {
            if (key.startsWith("retrain.") && !KEYS.containsKey(key)) {
                throw new IllegalArgumentException("Unknown configuration key '" + key + "'; known: " + KEYS.keySet());
            }
        }
        for (String required : new String[]{"bootstrap.servers", RegistryClientConfig.URL, "retrain.input.topic", "retrain.model.id"}) {
            if (get(m, required).isBlank()) {
                throw new IllegalArgumentException("Missing required configuration '" + required + "'");
            }
        }
        Map<String, Object> kafka = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (!k.startsWith("retrain.")) {
                kafka.put(k, v);
            }
        });
        String exclude = get(m, "retrain.exclude.alerted");
        if (!exclude.equals("true") && !exclude.equals("false")) {
            throw new IllegalArgumentException("Invalid 'retrain.exclude.alerted': expected true or false");
        }
        return new RetrainConfig(get(m, "retrain.drift.topic"), get(m, "retrain.models.topic"), get(m, "retrain.input.topic"),
                get(m, "retrain.alerts.topic"), get(m, "retrain.model.id"), number(m, "retrain.records.last", 100, 100_000_000),
                Boolean.parseBoolean(exclude), get(m, "retrain.group.id"), number(m, "retrain.max.false.alarm.factor", 1.0, 1000.0),
                number(m, "retrain.min.synthetic.recall", 0.0, 1.0), (int) number(m, "retrain.epochs", 1, 10_000), Map.copyOf(kafka));
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null || v.isEmpty()) {
            String[] d = KEYS.get(key);
            return d == null ? "" : d[0];
        }
        return v;
    }

    private static double numberD(Map<String, String> m, String key) {
        try {
            return Double.parseDouble(get(m, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid '" + key + "': not a number: '" + get(m, key) + "'");
        }
    }

    private static double number(Map<String, String> m, String key, double min, double max) {
        double v = numberD(m, key);
        if (v < min || v > max) {
            throw new IllegalArgumentException("Invalid '" + key + "': " + v + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    private static long number(Map<String, String> m, String key, long min, long max) {
        return (long) number(m, key, (double) min, (double) max);
    }
}
