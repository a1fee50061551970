package dev.anomaly.trainer.retrain;

import dev.anomaly.schemas.registry.RegistryClientConfig;

import dev.anomaly.schemas.config.ToolConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import dev.anomaly.schemas.release.SigningKey;

/**
 * Settings of the retraining job: {@code retrain.*} keys are ours, everything else goes to the Kafka clients and the
 * registry serde. {@code ANOMALY_RETRAIN_X_Y} and {@code KAFKA_X_Y} environment variables override the file.
 */
public record RetrainConfig(String driftTopic, String modelsTopic, String inputTopic, String alertsTopic, String modelId,
                            long lastRecords, int sampleRecords, boolean excludeAlerted, String groupId, double maxFalseAlarmFactor,
                            double maxTrimmed, String feedbackTopic,
                            double minSyntheticRecall, int epochs, Optional<SigningKey> signingKey, Map<String, Object> kafka) {

    public static final String DRIFT_TOPIC = "retrain.drift.topic";
    public static final String MODELS_TOPIC = "retrain.models.topic";
    public static final String INPUT_TOPIC = "retrain.input.topic";
    public static final String ALERTS_TOPIC = "retrain.alerts.topic";
    public static final String MODEL_ID = "retrain.model.id";
    public static final String RECORDS_LAST = "retrain.records.last";
    public static final String RECORDS_SAMPLE = "retrain.records.sample";
    public static final String EXCLUDE_ALERTED = "retrain.exclude.alerted";
    public static final String GROUP_ID = "retrain.group.id";
    public static final String MAX_FALSE_ALARM_FACTOR = "retrain.max.false.alarm.factor";
    public static final String MAX_TRIMMED = "retrain.max.trimmed";
    public static final String FEEDBACK_TOPIC = "retrain.feedback.topic";
    public static final String MIN_SYNTHETIC_RECALL = "retrain.min.synthetic.recall";
    public static final String EPOCHS = "retrain.epochs";
    public static final String SIGNING_KEY_FILE = "retrain.signing.key.file";
    public static final String PUBLISH_UNSIGNED = "retrain.publish.unsigned";

    /** Our keys: type, validator, default, doc; {@code anomaly retrain --print-config} prints them. */
    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(INPUT_TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "Topic of recent records to train on.")
            .define(MODEL_ID, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "Model id to retrain.")
            .define("bootstrap.servers", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "Kafka brokers.")
            .define(RegistryClientConfig.URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    "Schema registry base URL(s), Confluent API (Apicurio: .../apis/ccompat/v7).")
            .define(DRIFT_TOPIC, Type.STRING, "anomaly-drift", Importance.HIGH, "Drift events to react to.")
            .define(MODELS_TOPIC, Type.STRING, "anomaly-models", Importance.HIGH,
                    "Compacted models topic: the current release is read from it, the new one written to it.")
            .define(ALERTS_TOPIC, Type.STRING, "anomaly-alerts", Importance.MEDIUM, "Alerts topic, to leave alerted records out of the training data.")
            .define(RECORDS_LAST, Type.LONG, 50_000L, Range.between(100, 100_000_000), Importance.MEDIUM, "Train on the last N records of the input topic.")
            .define(RECORDS_SAMPLE, Type.INT, 200_000, Range.between(100, 100_000_000), Importance.MEDIUM,
                    "Of those, keep a uniform random sample of at most this many, so that memory stays bounded however large retrain.records.last.")
            .define(EXCLUDE_ALERTED, Type.BOOLEAN, true, Importance.MEDIUM, "Leave out records the serving model alerted on.")
            .define(GROUP_ID, Type.STRING, "anomaly-retrain", Importance.MEDIUM, "Consumer group on the drift topic (one retraining per event).")
            .define(MAX_FALSE_ALARM_FACTOR, Type.DOUBLE, 3.0, Range.between(1.0, 1000.0), Importance.MEDIUM,
                    "Reject a candidate whose alert rate on held-back recent records exceeds this multiple of its target.")
            .define(MAX_TRIMMED, Type.DOUBLE, 0.5, Range.between(0.0, 0.9), Importance.MEDIUM,
                    "Up to this share of the recent records alerting, the alerted ones are anomalies and left out of training; beyond it they are a regime shift and kept.")
            .define(FEEDBACK_TOPIC, Type.STRING, "anomaly-feedback", Importance.MEDIUM,
                    "Operators' Feedback verdicts: confirmed anomalies are left out of training, confirmed false positives kept; empty: none.")
            .define(MIN_SYNTHETIC_RECALL, Type.DOUBLE, 0.9, Range.between(0.0, 1.0), Importance.MEDIUM,
                    "Reject a candidate that flags less than this share of records pushed beyond the training range.")
            .define(EPOCHS, Type.INT, 100, Range.between(1, 10_000), Importance.LOW, "Maximum training epochs.")
            .define(SIGNING_KEY_FILE, Type.STRING, "", Importance.HIGH,
                    "Ed25519 private key (PEM, with its .pub beside it) that signs every release; 'anomaly keys generate' makes one.")
            .define(PUBLISH_UNSIGNED, Type.BOOLEAN, false, Importance.LOW,
                    "Publish unsigned releases when no signing key is set (only detectors with detector.models.allow.unsigned=true serve them).");
    /** The file, the environment ({@code ANOMALY_RETRAIN_X_Y}, {@code KAFKA_X_Y}) and {@link #DEFINITION}. */
    public static final ToolConfig CONFIG = new ToolConfig(DEFINITION, "retrain.", "ANOMALY_RETRAIN_");

    public static RetrainConfig load(Path file, Map<String, String> env) throws IOException {
        return fromMap(CONFIG.withEnvironment(ToolConfig.read(file), env));
    }

    /** Settings from environment variables alone: {@code ANOMALY_RETRAIN_X_Y} → {@code retrain.x.y}, {@code KAFKA_X_Y} → {@code x.y}. */
    public static RetrainConfig fromEnvironment(Map<String, String> env) {
        return fromMap(CONFIG.withEnvironment(Map.of(), env));
    }

    public static RetrainConfig fromMap(Map<String, String> m) {
        ToolConfig.Values v = CONFIG.parse(m);
        Optional<SigningKey> key = v.optional(SIGNING_KEY_FILE).map(file -> {
            try {
                return SigningKey.read(Path.of(file));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid '" + SIGNING_KEY_FILE + "': " + e.getMessage(), e);
            }
        });
        if (key.isEmpty() && !v.bool(PUBLISH_UNSIGNED)) {
            throw new IllegalArgumentException("Missing '" + SIGNING_KEY_FILE + "': releases are signed (detectors refuse unsigned ones);"
                    + " make a key with 'anomaly keys generate', or set " + PUBLISH_UNSIGNED + "=true");
        }
        return new RetrainConfig(v.string(DRIFT_TOPIC), v.string(MODELS_TOPIC), v.string(INPUT_TOPIC), v.string(ALERTS_TOPIC),
                v.string(MODEL_ID), v.longValue(RECORDS_LAST), v.integer(RECORDS_SAMPLE), v.bool(EXCLUDE_ALERTED), v.string(GROUP_ID),
                v.decimal(MAX_FALSE_ALARM_FACTOR), v.decimal(MAX_TRIMMED), v.string(FEEDBACK_TOPIC), v.decimal(MIN_SYNTHETIC_RECALL), v.integer(EPOCHS), key, Map.copyOf(CONFIG.passThrough(m)));
    }
}
