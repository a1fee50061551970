package dev.anomaly.schemas.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The contract between trainer and detector: which fields of an Avro record, in which order and encoding, make the
 * model's raw input row. Normalisation is not here: it is part of the exported model.
 *
 * @param features          ordered features of one record
 * @param unknownCategories what a categorical value outside the vocabulary does
 * @param window            for a windowed model, the window the model's input is made of: the last W records of one
 *                          key, each as {@code features}, oldest first (input columns {@code name@-k}); null otherwise
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record FeatureSpec(List<Feature> features, UnknownCategoryPolicy unknownCategories, WindowSpec window) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public FeatureSpec {
        Objects.requireNonNull(features, "features");
        if (features.isEmpty()) {
            throw new IllegalArgumentException("A feature spec needs at least one feature");
        }
        features = List.copyOf(features);
        unknownCategories = unknownCategories == null ? UnknownCategoryPolicy.OTHER : unknownCategories;
        Set<String> names = new HashSet<>();
        for (Feature f : features) {
            if (!names.add(f.name())) {
                throw new IllegalArgumentException("Duplicate feature name '" + f.name() + "'");
            }
        }
    }

    public FeatureSpec(List<Feature> features, UnknownCategoryPolicy unknownCategories) {
        this(features, unknownCategories, null);
    }

    public static FeatureSpec of(Feature... features) {
        return new FeatureSpec(List.of(features), UnknownCategoryPolicy.OTHER);
    }

    /** The same features, as the input of a model over windows of them. */
    public FeatureSpec withWindow(WindowSpec w) {
        return new FeatureSpec(features, unknownCategories, w);
    }

    /** The spec of one record: these features without the window. */
    public FeatureSpec rowSpec() {
        return window == null ? this : new FeatureSpec(features, unknownCategories, null);
    }

    /** Number of model input columns: one record's (categorical features expand to several), times the window's size. */
    public int width() {
        return rowWidth() * (window == null ? 1 : window.size());
    }

    /** Number of columns one record is extracted into. */
    public int rowWidth() {
        int w = 0;
        for (Feature f : features) {
            w += f.width();
        }
        return w;
    }

    /** Model input column names in order; for a window, step by step from the oldest, each {@code name@-k}. */
    public List<String> columnNames() {
        List<String> row = new ArrayList<>(rowWidth());
        for (Feature f : features) {
            row.addAll(f.columnNames());
        }
        if (window == null) {
            return row;
        }
        List<String> names = new ArrayList<>(width());
        for (int step = 0; step < window.size(); step++) {
            for (String name : row) {
                names.add(window.columnName(name, step));
            }
        }
        return names;
    }

    /** Name of model input column {@code column}, as in {@link #columnNames()}, without building the list. */
    public String columnName(int column) {
        if (window != null) {
            int rw = rowWidth();
            return window.columnName(rowSpec().columnName(column % rw), column / rw);
        }
        int start = 0;
        for (Feature f : features) {
            if (column < start + f.width()) {
                return f.width() > 1 ? f.columnNames().get(column - start) : f.name();
            }
            start += f.width();
        }
        throw new IndexOutOfBoundsException("column " + column + " of " + start);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Feature spec cannot be written as JSON", e);
        }
    }

    public static FeatureSpec fromJson(String json) {
        try {
            return JSON.readValue(json, FeatureSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Invalid feature spec JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Extracts the raw input row of one record ({@link #rowWidth()} floats). */
    public float[] extract(GenericRecord record) {
        float[] row = new float[rowWidth()];
        extractInto(record, row, 0);
        return row;
    }

    /**
     * Writes the raw input row of {@code record} into {@code out} from {@code offset}, {@link #rowWidth()} floats (a
     * windowed model's input is several such rows: see {@link #window}).
     *
     * @throws FeatureExtractionException naming the first feature that cannot be extracted
     */
    public void extractInto(GenericRecord record, float[] out, int offset) {
        FieldPlan plan = LAST_PLAN.get();
        if (plan == null || plan.spec != this || plan.schema != record.getSchema()) {
            plan = new FieldPlan(this, record.getSchema());
            LAST_PLAN.set(plan);
        }
        int col = offset;
        for (int i = 0; i < features.size(); i++) {
            Feature f = features.get(i);
            Object value = plan.resolve(record, i);
            switch (f.type()) {
                case NUMERIC -> out[col] = numeric(value, f);
                case BOOLEAN -> {
                    if (!(value instanceof Boolean b)) {
                        throw wrongType(f, value, "boolean");
                    }
                    out[col] = b ? 1f : 0f;
                }
                case CATEGORICAL -> oneHot(value, f, out, col);
                case BUCKETED -> {
                    int bucket = f.bucket(numeric(value, f));
                    for (int b = 0; b < f.width(); b++) {
                        out[col + b] = b == bucket ? 1f : 0f;
                    }
                }
            }
            col += f.width();
        }
    }

    /**
     * Checks that records of {@code schema} can feed this spec: every path exists with a type that fits.
     *
     * @return the problems found, one line each; empty when compatible
     */
    public List<String> problemsWith(Schema schema) {
        List<String> problems = new ArrayList<>();
        for (Feature f : features) {
            Schema s = schema;
            String[] parts = f.path().split("\\.");
            for (int i = 0; i < parts.length && s != null; i++) {
                s = nonNull(s);
                Schema.Field field = s.getType() == Schema.Type.RECORD ? s.getField(parts[i]) : null;
                if (field == null) {
                    problems.add("feature '" + f.name() + "': no field '" + parts[i] + "' at path " + f.path());
                    s = null;
                } else {
                    s = field.schema();
                }
            }
            if (s == null) {
                continue;
            }
            Schema.Type t = nonNull(s).getType();
            boolean fits = switch (f.type()) {
                case NUMERIC, BUCKETED -> t == Schema.Type.INT || t == Schema.Type.LONG || t == Schema.Type.FLOAT || t == Schema.Type.DOUBLE;
                case BOOLEAN -> t == Schema.Type.BOOLEAN;
                case CATEGORICAL -> t == Schema.Type.STRING || t == Schema.Type.ENUM;
            };
            if (!fits) {
                problems.add("feature '" + f.name() + "' is " + f.type() + " but field " + f.path() + " is " + t);
            }
        }
        return problems;
    }

    private static Schema nonNull(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            for (Schema branch : s.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return branch;
                }
            }
        }
        return s;
    }

    /**
     * Field positions of each feature path in one writer schema. Extraction runs per record and feature; looking
     * fields up by name was the largest single cost of the detector's stream thread after Avro decoding. Each
     * thread keeps the plan of the last (spec, schema) pair it saw — records of a topic nearly always share both.
     */
    private static final ThreadLocal<FieldPlan> LAST_PLAN = new ThreadLocal<>();

    private static final class FieldPlan {
        private final FeatureSpec spec;
        private final Schema schema;
        private final int[][] positions; // per feature: field position at each level, or null → resolve by name
        private final Schema[][] levels; // the record schema each position belongs to

        FieldPlan(FeatureSpec spec, Schema schema) {
            this.spec = spec;
            this.schema = schema;
            int n = spec.features().size();
            positions = new int[n][];
            levels = new Schema[n][];
            for (int i = 0; i < n; i++) {
                String[] parts = spec.features().get(i).path().split("\\.");
                int[] pos = new int[parts.length];
                Schema[] at = new Schema[parts.length];
                Schema s = schema;
                for (int j = 0; j < parts.length && pos != null; j++) {
                    Schema.Field field = s != null && s.getType() == Schema.Type.RECORD ? s.getField(parts[j]) : null;
                    if (field == null) {
                        pos = null; // missing or not a record: the slow path names the problem
                    } else {
                        pos[j] = field.pos();
                        at[j] = s;
                        s = nonNull(field.schema());
                    }
                }
                positions[i] = pos;
                levels[i] = at;
            }
        }

        Object resolve(GenericRecord record, int feature) {
            int[] pos = positions[feature];
            if (pos == null) {
                return FeatureSpec.resolve(record, spec.features().get(feature));
            }
            Object current = record;
            for (int j = 0; j < pos.length; j++) {
                if (!(current instanceof GenericRecord r) || r.getSchema() != levels[feature][j]) {
                    return FeatureSpec.resolve(record, spec.features().get(feature)); // e.g. a union branch
                }
                current = r.get(pos[j]);
                if (current == null) {
                    return FeatureSpec.resolve(record, spec.features().get(feature)); // names the null field
                }
            }
            return current;
        }
    }

    private static Object resolve(GenericRecord record, Feature f) {
        Object current = record;
        String path = f.path();
        int start = 0;
        while (true) {
            int dot = path.indexOf('.', start);
            // The common flat path needs no substring; one field lookup per part (this runs per record and feature).
            String part = dot < 0 ? (start == 0 ? path : path.substring(start)) : path.substring(start, dot);
            if (!(current instanceof GenericRecord r)) {
                throw new FeatureExtractionException(FeatureExtractionException.Reason.WRONG_TYPE, f,
                        "'" + path.substring(0, Math.max(0, start - 1)) + "' is not a record");
            }
            Schema.Field field = r.getSchema().getField(part);
            if (field == null) {
                throw new FeatureExtractionException(FeatureExtractionException.Reason.MISSING_FIELD, f,
                        "record " + r.getSchema().getFullName() + " has no field '" + part + "'");
            }
            current = r.get(field.pos());
            if (current == null) {
                throw new FeatureExtractionException(FeatureExtractionException.Reason.NULL_VALUE, f,
                        "field '" + (dot < 0 ? path : path.substring(0, dot)) + "' is null");
            }
            if (dot < 0) {
                return current;
            }
            start = dot + 1;
        }
    }

    private static float numeric(Object value, Feature f) {
        double d;
        if (value instanceof Double v) {
            d = v;
        } else if (value instanceof Float v) {
            d = v;
        } else if (value instanceof Integer v) {
            d = v;
        } else if (value instanceof Long v) {
            d = v;
        } else {
            throw wrongType(f, value, "a number (int, long, float, double)");
        }
        float x = (float) d;
        if (!Float.isFinite(x)) {
            throw new FeatureExtractionException(FeatureExtractionException.Reason.NOT_FINITE, f,
                    Double.isFinite(d) ? "value " + d + " overflows float32" : "value is " + d);
        }
        return x;
    }

    private void oneHot(Object value, Feature f, float[] out, int col) {
        String category;
        if (value instanceof CharSequence cs) {
            category = cs.toString();
        } else if (value instanceof GenericEnumSymbol<?> e) {
            category = e.toString();
        } else {
            throw wrongType(f, value, "a string or enum");
        }
        List<String> vocabulary = f.categories();
        for (int i = 0; i <= vocabulary.size(); i++) {
            out[col + i] = 0f;
        }
        int index = vocabulary.indexOf(category);
        if (index < 0) {
            if (unknownCategories == UnknownCategoryPolicy.REJECT) {
                throw new FeatureExtractionException(FeatureExtractionException.Reason.UNKNOWN_CATEGORY, f,
                        "value '" + abbreviate(category) + "' is not one of " + vocabulary);
            }
            index = vocabulary.size();
        }
        out[col + index] = 1f;
    }

    private static FeatureExtractionException wrongType(Feature f, Object value, String expected) {
        return new FeatureExtractionException(FeatureExtractionException.Reason.WRONG_TYPE, f,
                "expected " + expected + ", found " + value.getClass().getSimpleName() + " '" + abbreviate(String.valueOf(value)) + "'");
    }

    /** Values quoted in messages are cut short: the message becomes a dead-letter header, the value may be megabytes. */
    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "… (" + s.length() + " chars)";
    }
}
