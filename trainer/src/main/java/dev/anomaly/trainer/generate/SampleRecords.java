package dev.anomaly.trainer.generate;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows of model columns turned back into records of the model's fields: a numeric column as it is, a boolean column
 * as {@code > 0.5}, a one-hot group as its largest column's category.
 */
public final class SampleRecords {
    private SampleRecords() {
    }

    /** A flat record with one field per feature, named by its path; nested paths are refused. */
    public static Schema schema(FeatureSpec spec, String name) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(name).namespace("dev.anomaly.generated")
                .doc("Records sampled from a generative anomaly model").fields();
        for (Feature f : spec.features()) {
            if (f.path().contains(".")) {
                throw new IllegalArgumentException("feature " + f.name() + " reads the nested field " + f.path()
                        + "; samples can be written as CSV only");
            }
            fields = switch (f.type()) {
                case NUMERIC, BUCKETED -> fields.requiredDouble(f.path());
                case BOOLEAN -> fields.requiredBoolean(f.path());
                case CATEGORICAL -> fields.requiredString(f.path());
            };
        }
        return fields.endRecord();
    }

    /** The values of row {@code r}, one per feature (Double, Boolean or String). */
    public static List<Object> values(FeatureSpec spec, float[] rows, int r) {
        int w = spec.width();
        List<Object> out = new ArrayList<>();
        int col = 0;
        for (Feature f : spec.features()) {
            switch (f.type()) {
                case NUMERIC -> out.add((double) rows[r * w + col]);
                case BOOLEAN -> out.add(rows[r * w + col] > 0.5f);
                case CATEGORICAL -> {
                    int best = 0;
                    for (int c = 1; c < f.width(); c++) {
                        if (rows[r * w + col + c] > rows[r * w + col + best]) {
                            best = c;
                        }
                    }
                    out.add(best < f.categories().size() ? f.categories().get(best) : Feature.OTHER);
                }
                case BUCKETED -> {
                    int best = 0;
                    for (int c = 1; c < f.width(); c++) {
                        if (rows[r * w + col + c] > rows[r * w + col + best]) {
                            best = c;
                        }
                    }
                    out.add(f.representative(best));
                }
            }
            col += f.width();
        }
        return out;
    }

    public static GenericRecord record(Schema schema, FeatureSpec spec, float[] rows, int r) {
        GenericRecord rec = new GenericData.Record(schema);
        List<Object> values = values(spec, rows, r);
        for (int i = 0; i < values.size(); i++) {
            rec.put(i, values.get(i));
        }
        return rec;
    }
}
