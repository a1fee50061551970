package dev.anomaly.schemas.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The configuration of our services (the detector, the retraining job): a properties file, overridden by environment
 * variables, checked against a Kafka {@link ConfigDef} of our own keys (type, validator, default, doc); every other key
 * passes through to the Kafka clients and the serdes. Every error is an {@link IllegalArgumentException} that names
 * the key, and {@link #describe} prints the keys for {@code --print-config}.
 *
 * @param definition our keys
 * @param keyPrefix  the prefix of our keys ({@code detector.}); an unknown key with it is an error (a typo)
 * @param envPrefix  environment variables with this prefix set our keys: {@code ANOMALY_DETECTOR_BATCH_SIZE} →
 *                   {@code detector.batch.size}
 */
public record ToolConfig(ConfigDef definition, String keyPrefix, String envPrefix) {
    /** Environment variables with this prefix set Kafka and registry settings: {@code KAFKA_SECURITY_PROTOCOL} → {@code security.protocol}. */
    public static final String KAFKA_ENV_PREFIX = "KAFKA_";

    /** A properties file, values trimmed. */
    public static Map<String, String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Configuration file " + file + " does not exist (or is not a file)");
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> map.put(k, p.getProperty(k).trim()));
        return map;
    }

    /** {@code base} overridden by the environment: {@code <envPrefix>X_Y} → {@code <keyPrefix>x.y}, {@code KAFKA_X_Y} → {@code x.y}. */
    public Map<String, String> withEnvironment(Map<String, String> base, Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>(base);
        env.forEach((k, v) -> {
            if (k.startsWith(envPrefix)) {
                out.put(keyPrefix + dotted(k.substring(envPrefix.length())), v);
            } else if (k.startsWith(KAFKA_ENV_PREFIX)) {
                out.put(dotted(k.substring(KAFKA_ENV_PREFIX.length())), v);
            }
        });
        return out;
    }

    private static String dotted(String envName) {
        return envName.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }

    /**
     * Our keys' values, parsed and validated, defaults filled in; a blank value counts as unset. Unknown keys with our
     * prefix, a missing required key and an invalid value are errors naming the key.
     */
    public Values parse(Map<String, String> raw) {
        List<String> unknown = raw.keySet().stream().filter(k -> k.startsWith(keyPrefix) && !definition.names().contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown configuration key(s) " + unknown + "; known " + keyPrefix + "* keys: "
                    + definition.names().stream().filter(k -> k.startsWith(keyPrefix)).sorted().toList());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            String given = raw.get(key.name);
            Object value;
            if (given == null || given.isBlank()) {
                if (!key.hasDefault()) {
                    throw new IllegalArgumentException("Missing required configuration '" + key.name + "' (" + key.documentation + ")");
                }
                value = key.defaultValue;
            } else {
                try {
                    value = ConfigDef.parseType(key.name, given.trim(), key.type);
                    if (key.validator != null) {
                        key.validator.ensureValid(key.name, value);
                    }
                } catch (ConfigException e) {
                    throw new IllegalArgumentException("Invalid '" + key.name + "': " + given.trim() + " (" + reason(e, key) + ")", e);
                }
            }
            values.put(key.name, value);
        }
        return new Values(values);
    }

    /** ConfigDef's message without its own restatement of name and value. */
    private static String reason(ConfigException e, ConfigDef.ConfigKey key) {
        String m = String.valueOf(e.getMessage());
        int colon = m.indexOf(" for configuration " + key.name + ": ");
        return colon >= 0 ? m.substring(colon + (" for configuration " + key.name + ": ").length()) : m;
    }

    /** Every key without our prefix: for the Kafka clients and the serdes. */
    public Map<String, Object> passThrough(Map<String, String> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (!k.startsWith(keyPrefix)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** One line per key (name, default, doc), in definition order, for {@code --print-config}. */
    public List<String> describe() {
        int width = definition.names().stream().mapToInt(String::length).max().orElse(10) + 2;
        List<String> out = new ArrayList<>();
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            String def = !key.hasDefault() ? "(required)" : key.defaultValue == null || String.valueOf(key.defaultValue).isEmpty()
                    ? "(none)" : ConfigDef.convertToString(key.defaultValue, key.type);
            out.add(String.format("%-" + width + "s %-22s %s", key.name, def, key.documentation));
        }
        return out;
    }

    /** Parsed values of our keys. */
    public record Values(Map<String, Object> values) {
        public int integer(String key) {
            return ((Number) values.get(key)).intValue();
        }

        public long longValue(String key) {
            return ((Number) values.get(key)).longValue();
        }

        public double decimal(String key) {
            return ((Number) values.get(key)).doubleValue();
        }

        public boolean bool(String key) {
            return (Boolean) values.get(key);
        }

        public String string(String key) {
            Object v = values.get(key);
            return v == null ? "" : v.toString();
        }

        public Optional<String> optional(String key) {
            String s = string(key);
            return s.isBlank() ? Optional.empty() : Optional.of(s);
        }

        @SuppressWarnings("unchecked")
        public List<String> list(String key) {
            Object v = values.get(key);
            return v == null ? List.of() : ((List<String>) v).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }
}
