package dev.anomaly.trainer.data;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.schemas.features.UnknownCategoryPolicy;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Derives a {@link FeatureSpec} from an Avro schema and sample records: numbers become numeric features, booleans
 * boolean ones, strings and enums categorical with the sample's vocabulary (most frequent first). Left out, each with a
 * warning that says why: timestamps, the label field, and strings that look like identifiers — named like one
 * ({@code id}, {@code machineId}, {@code sensor_id}, {@code uuid}, {@code eventKey}…), with more than
 * {@code maxCategories} distinct values, or with distinct values for more than half the records. An identifier made a
 * category makes every new entity an anomaly. Fields named with {@code --features} are kept whatever they look like.
 */
public final class SpecInference {
    private static final Logger log = LoggerFactory.getLogger(SpecInference.class);

    private SpecInference() {
    }

    /**
     * @param include when non-empty, exactly these field paths, in this order
     * @param exclude field paths never to use (the label is added by the caller)
     */
    public static FeatureSpec infer(Schema schema, List<GenericRecord> sample, List<String> include, Set<String> exclude,
                                    int maxCategories) {
        List<String[]> candidates = new ArrayList<>(); // {path, avro type}
        collect(schema, "", candidates);
        Map<String, Schema.Type> typeOf = new HashMap<>();
        candidates.forEach(c -> typeOf.put(c[0], Schema.Type.valueOf(c[1])));
        List<String> paths = new ArrayList<>();
        if (!include.isEmpty()) {
            for (String p : include) {
                if (!typeOf.containsKey(p)) {
                    throw new DataException("Feature '" + p + "' is not a numeric, boolean, string or enum field of "
                            + schema.getFullName() + " (fields: " + typeOf.keySet() + ")");
                }
                paths.add(p);
            }
        } else {
            candidates.stream().map(c -> c[0]).filter(p -> !exclude.contains(p)).forEach(paths::add);
        }
        List<Feature> features = new ArrayList<>();
        for (String path : paths) {
            Schema.Type t = typeOf.get(path);
            switch (t) {
                case INT, LONG, FLOAT, DOUBLE -> features.add(new Feature(path, path, FeatureType.NUMERIC, List.of()));
                case BOOLEAN -> features.add(new Feature(path, path, FeatureType.BOOLEAN, List.of()));
                default -> {
                    List<String> vocabulary = vocabulary(sample, path);
                    String identifier = include.isEmpty() ? identifierReason(path, t, vocabulary.size(), sample.size(), maxCategories) : null;
                    if (vocabulary.isEmpty()) {
                        log.warn("Leaving out '{}': no values in the sample", path);
                    } else if (identifier != null) {
                        log.warn("Leaving out '{}': it looks like an identifier ({}); a new value would alert on every record."
                                + " Name it with --features to use it anyway", path, identifier);
                    } else {
                        features.add(new Feature(path, path, FeatureType.CATEGORICAL,
                                vocabulary.subList(0, Math.min(maxCategories, vocabulary.size()))));
                    }
                }
            }
        }
        if (features.isEmpty()) {
            throw new DataException("No usable feature fields in " + schema.getFullName());
        }
        return new FeatureSpec(features, UnknownCategoryPolicy.OTHER);
    }

    /** Why a string field looks like an identifier rather than a category, or null. Enums are categories by declaration. */
    static String identifierReason(String path, Schema.Type type, int distinct, int rows, int maxCategories) {
        if (type == Schema.Type.ENUM) {
            return null;
        }
        String name = path.substring(path.lastIndexOf('.') + 1);
        if (name.matches("(?i)id|uuid|guid|key") || name.matches(".*(?:[a-z0-9]Id|[a-z0-9]ID|[_-](?i:id)|[a-z0-9]Uuid|[_-](?i:uuid)|[a-z0-9]Key|[_-](?i:key))")) {
            return "its name";
        }
        if (distinct > maxCategories) {
            return distinct + " distinct values, more than the " + maxCategories + " a category may have";
        }
        if (rows >= 20 && distinct * 2 > rows) {
            return distinct + " distinct values in " + rows + " records";
        }
        return null;
    }

    private static void collect(Schema schema, String prefix, List<String[]> out) {
        for (Schema.Field field : schema.getFields()) {
            Schema s = nonNull(field.schema());
            String path = prefix + field.name();
            LogicalType logical = s.getLogicalType();
            if (logical != null && logical.getName().startsWith("timestamp") || logical != null && logical.getName().startsWith("local-timestamp")
                    || logical != null && (logical.getName().equals("date") || logical.getName().startsWith("time-"))) {
                continue; // time is when, not what
            }
            switch (s.getType()) {
                case RECORD -> collect(s, path + ".", out);
                case INT, LONG, FLOAT, DOUBLE, BOOLEAN, STRING, ENUM -> out.add(new String[]{path, s.getType().name()});
                default -> {
                    // arrays, maps, bytes: not a scalar feature
                }
            }
        }
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            for (Schema b : s.getTypes()) {
                if (b.getType() != Schema.Type.NULL) {
                    return b;
                }
            }
        }
        return s;
    }

    private static List<String> vocabulary(List<GenericRecord> sample, String path) {
        Map<String, Integer> counts = new HashMap<>();
        String[] parts = path.split("\\.");
        for (GenericRecord r : sample) {
            Object v = r;
            for (String p : parts) {
                v = v instanceof GenericRecord g && g.getSchema().getField(p) != null ? g.get(p) : null;
            }
            if (v != null) {
                counts.merge(v.toString(), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
    }
}
