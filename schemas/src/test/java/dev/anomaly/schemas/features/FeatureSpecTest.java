package dev.anomaly.schemas.features;

import dev.anomaly.schemas.avro.MachineTelemetry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FeatureSpecTest {
    private static final Schema INNER = SchemaBuilder.record("Readings").namespace("t").fields()
            .requiredDouble("rpm").optionalDouble("temp").endRecord();
    private static final Schema MODE = SchemaBuilder.enumeration("Mode").namespace("t").symbols("IDLE", "RUN", "TURBO");
    private static final Schema SCHEMA = SchemaBuilder.record("Event").namespace("t").fields()
            .name("readings").type(INNER).noDefault()
            .requiredInt("count")
            .requiredBoolean("open")
            .name("mode").type(MODE).noDefault()
            .requiredString("site")
            .requiredString("note")
            .endRecord();

    private static final FeatureSpec SPEC = new FeatureSpec(List.of(
            new Feature("rpm", "readings.rpm", FeatureType.NUMERIC, List.of()),
            new Feature("temp", "readings.temp", FeatureType.NUMERIC, List.of()),
            Feature.numeric("count"),
            Feature.bool("open"),
            Feature.categorical("mode", List.of("IDLE", "RUN")),
            Feature.categorical("site", List.of("north", "south"))), UnknownCategoryPolicy.OTHER);

    private static GenericRecord event(Double temp, String site) {
        GenericRecord inner = new GenericData.Record(INNER);
        inner.put("rpm", 1500.5);
        inner.put("temp", temp);
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("readings", inner);
        r.put("count", 7);
        r.put("open", true);
        r.put("mode", new GenericData.EnumSymbol(MODE, "TURBO"));
        r.put("site", site);
        r.put("note", "n/a");
        return r;
    }

    @Test
    void shouldExtractNestedNumericBooleanAndOneHotColumnsInOrder() {
        float[] row = SPEC.extract(event(61.25, "south"));

        assertThat(SPEC.width()).isEqualTo(1 + 1 + 1 + 1 + 3 + 3);
        assertThat(SPEC.columnNames()).containsExactly("rpm", "temp", "count", "open",
                "mode=IDLE", "mode=RUN", "mode=__other__", "site=north", "site=south", "site=__other__");
        // TURBO is outside the vocabulary: policy OTHER puts it in mode=__other__.
        assertThat(row).containsExactly(1500.5f, 61.25f, 7f, 1f, 0f, 0f, 1f, 0f, 1f, 0f);
    }

    @Test
    void shouldNameEachColumnAsTheColumnList() {
        for (int c = 0; c < SPEC.width(); c++) {
            assertThat(SPEC.columnName(c)).isEqualTo(SPEC.columnNames().get(c));
        }
        assertThatThrownBy(() -> SPEC.columnName(SPEC.width())).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldReadEachRecordByItsOwnSchemaWhenSchemasAlternate() {
        // The same fields in another order, and the nested record behind an optional union: field positions
        // differ, so a plan of field positions kept from the previous record would read the wrong fields.
        Schema reordered = SchemaBuilder.record("Event2").namespace("t").fields()
                .requiredString("site").requiredBoolean("open").requiredInt("count")
                .name("mode").type(MODE).noDefault()
                .name("readings").type().optional().type(INNER)
                .endRecord();
        GenericRecord inner = new GenericData.Record(INNER);
        inner.put("rpm", 900.0);
        inner.put("temp", 20.0);
        GenericRecord other = new GenericData.Record(reordered);
        other.put("site", "north");
        other.put("open", false);
        other.put("count", 3);
        other.put("mode", new GenericData.EnumSymbol(MODE, "IDLE"));
        other.put("readings", inner);
        for (int i = 0; i < 3; i++) {
            assertThat(SPEC.extract(event(61.25, "south"))).containsExactly(1500.5f, 61.25f, 7f, 1f, 0f, 0f, 1f, 0f, 1f, 0f);
            assertThat(SPEC.extract(other)).containsExactly(900f, 20f, 3f, 0f, 1f, 0f, 0f, 1f, 0f, 0f);
        }
        other.put("readings", null);
        assertThat(catchThrowableOfType(() -> SPEC.extract(other), FeatureExtractionException.class).reason())
                .isEqualTo(FeatureExtractionException.Reason.NULL_VALUE);
    }

    /** A number cut into buckets: one-hot by the edges (an edge belongs to the bucket above it), named by range, in JSON. */
    @Test
    void shouldExtractABucketedNumberAsOneHotAndKeepItsEdgesInJson() {
        FeatureSpec spec = FeatureSpec.of(Feature.bucketed("count", List.of(5.0, 7.0, 10.0)), Feature.numeric("rpm"));
        Feature count = spec.features().get(0);
        assertThat(spec.width()).isEqualTo(5);
        assertThat(spec.columnNames()).containsExactly("count<5", "count=[5,7)", "count=[7,10)", "count>=10", "rpm");
        assertThat(spec.columnName(2)).isEqualTo("count=[7,10)");
        GenericRecord r = new GenericData.Record(SchemaBuilder.record("C").fields().requiredInt("count").requiredDouble("rpm").endRecord());
        r.put("rpm", 3.5);
        for (int[] countAndBucket : new int[][]{{-3, 0}, {5, 1}, {6, 1}, {7, 2}, {10, 3}, {99, 3}}) {
            r.put("count", countAndBucket[0]);
            float[] row = spec.extract(r);
            float[] expected = new float[]{0, 0, 0, 0, 3.5f};
            expected[countAndBucket[1]] = 1f;
            assertThat(row).as("count %d", countAndBucket[0]).containsExactly(expected);
            assertThat(count.bucket(count.representative(countAndBucket[1]))).isEqualTo(countAndBucket[1]);
        }
        assertThat(FeatureSpec.fromJson(spec.toJson())).isEqualTo(spec);
        assertThat(SPEC.toJson()).doesNotContain("edges");
        assertThat(spec.problemsWith(r.getSchema())).isEmpty();
        assertThatThrownBy(() -> Feature.bucketed("x", List.of(2.0, 1.0))).hasMessageContaining("strictly increasing");
    }

    @Test
    void shouldRoundTripThroughJson() {
        String json = SPEC.toJson();
        FeatureSpec back = FeatureSpec.fromJson(json);

        assertThat(back).isEqualTo(SPEC);
        assertThat(json).contains("\"path\":\"readings.rpm\"").contains("\"type\":\"CATEGORICAL\"");
    }

    @Test
    void shouldNameFeatureAndPathOfNullValue() {
        FeatureExtractionException e = catchThrowableOfType(FeatureExtractionException.class, () -> SPEC.extract(event(null, "north")));
        assertThat(e.reason()).isEqualTo(FeatureExtractionException.Reason.NULL_VALUE);
        assertThat(e.feature()).isEqualTo("temp");
        assertThat(e).hasMessageContaining("readings.temp");
    }

    @Test
    void shouldRejectNaNAndInfinity() {
        for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, 1e300}) {
            FeatureExtractionException e = catchThrowableOfType(FeatureExtractionException.class, () -> SPEC.extract(event(bad, "north")));
            assertThat(e.reason()).isEqualTo(FeatureExtractionException.Reason.NOT_FINITE);
            assertThat(e.feature()).isEqualTo("temp");
        }
    }

    @Test
    void shouldRejectMissingField() {
        FeatureSpec spec = FeatureSpec.of(Feature.numeric("pressure"));
        FeatureExtractionException e = catchThrowableOfType(FeatureExtractionException.class, () -> spec.extract(event(1.0, "north")));
        assertThat(e.reason()).isEqualTo(FeatureExtractionException.Reason.MISSING_FIELD);
        assertThat(e).hasMessageContaining("no field 'pressure'");
    }

    @Test
    void shouldRejectWrongType() {
        FeatureSpec spec = FeatureSpec.of(Feature.numeric("note"));
        FeatureExtractionException e = catchThrowableOfType(FeatureExtractionException.class, () -> spec.extract(event(1.0, "north")));
        assertThat(e.reason()).isEqualTo(FeatureExtractionException.Reason.WRONG_TYPE);
        assertThat(e).hasMessageContaining("expected a number").hasMessageContaining("n/a");
    }

    @Test
    void shouldRejectUnknownCategoryUnderRejectPolicy() {
        FeatureSpec strict = new FeatureSpec(SPEC.features(), UnknownCategoryPolicy.REJECT);
        FeatureExtractionException e = catchThrowableOfType(FeatureExtractionException.class, () -> strict.extract(event(1.0, "north")));
        assertThat(e.reason()).isEqualTo(FeatureExtractionException.Reason.UNKNOWN_CATEGORY);
        assertThat(e.feature()).isEqualTo("mode");
        assertThat(e).hasMessageContaining("TURBO");
    }

    @Test
    void shouldListSchemaProblems() {
        FeatureSpec spec = FeatureSpec.of(Feature.numeric("count"), Feature.numeric("site"), Feature.bool("missing"),
                new Feature("rpm", "readings.rpm", FeatureType.NUMERIC, List.of()));
        assertThat(spec.problemsWith(SCHEMA)).containsExactly(
                "feature 'site' is NUMERIC but field site is STRING",
                "feature 'missing': no field 'missing' at path missing");
        assertThat(SPEC.problemsWith(SCHEMA)).isEmpty();
    }

    @Test
    void shouldRejectInvalidSpecs() {
        assertThatThrownBy(() -> FeatureSpec.of(Feature.numeric("a"), Feature.numeric("a"))).hasMessageContaining("Duplicate feature name 'a'");
        assertThatThrownBy(() -> Feature.categorical("m", List.of())).hasMessageContaining("non-empty vocabulary");
        assertThatThrownBy(() -> FeatureSpec.fromJson("{\"features\": 3}")).hasMessageContaining("Invalid feature spec JSON");
    }

    @Test
    void shouldExtractTheExampleContract() {
        FeatureSpec spec = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("powerKw"), Feature.bool("valveOpen"),
                Feature.categorical("mode", List.of("IDLE", "NORMAL", "BOOST")));
        MachineTelemetry reading = MachineTelemetry.newBuilder().setMachineId("pump-01").setTimestamp(java.time.Instant.EPOCH)
                .setMode("BOOST").setRpm(1820).setPowerKw(44.5).setTemperatureC(71).setVibrationMm(2.4).setPressureBar(3.9)
                .setFlowM3h(61).setValveOpen(true).build();

        float[] row = spec.extract(reading);

        assertThat(spec.problemsWith(MachineTelemetry.getClassSchema())).isEmpty();
        assertThat(row[0]).isEqualTo((float) reading.getRpm());
        assertThat(row[3] + row[4] + row[5] + row[6]).isEqualTo(1f);
    }
}
