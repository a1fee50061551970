package dev.anomaly.schemas.serde;

import java.util.Map;

/** Serde settings; key names match Confluent's serde so one configuration serves both. */
public record SerdeConfig(boolean autoRegister, boolean useLatestVersion, String subjectNameStrategy) {
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String KEY_SUBJECT_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_STRATEGY = "value.subject.name.strategy";
    private static final String TOPIC_NAME_STRATEGY = "TopicNameStrategy";

    public static SerdeConfig fromMap(Map<String, ?> config, boolean isKey) {
        String strategyKey = isKey ? KEY_SUBJECT_STRATEGY : VALUE_SUBJECT_STRATEGY;
        Object strategy = config.get(strategyKey);
        if (strategy != null && !strategy.toString().endsWith(TOPIC_NAME_STRATEGY)) {
            throw new IllegalArgumentException("Unsupported '" + strategyKey + "': " + strategy
                    + " (this serde implements TopicNameStrategy: subject = <topic>-key / <topic>-value)");
        }
        return new SerdeConfig(bool(config, AUTO_REGISTER, true), bool(config, USE_LATEST_VERSION, false), TOPIC_NAME_STRATEGY);
    }

    /** TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    private static boolean bool(Map<String, ?> config, String key, boolean fallback) {
        Object v = config.get(key);
        if (v == null) {
            return fallback;
        }
        String s = v.toString().trim();
        if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("Invalid '" + key + "': expected true or false, got " + v);
        }
        return Boolean.parseBoolean(s);
    }
}
