package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.InMemorySchemaRegistry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Writer-to-reader resolution: old and new records read with either schema when a field is added with a default. */
class SchemaEvolutionTest {
    private static final String SCOPE = "evolution-test";
    static final Schema V1 = SchemaBuilder.record("Reading").namespace("t").fields()
            .requiredString("name").requiredDouble("value").endRecord();
    static final Schema V2 = SchemaBuilder.record("Reading").namespace("t").fields()
            .requiredString("name").requiredDouble("value").optionalString("unit").endRecord();

    @AfterEach
    void tearDown() {
        InMemorySchemaRegistry.drop(SCOPE);
    }

    @Test
    void shouldReadOldAndNewRecordsWithEitherReaderSchema() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(SCOPE);
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry, new SerdeConfig(true, false, "TopicNameStrategy"), false);
        GenericRecord old = new GenericData.Record(V1);
        old.put("name", "a");
        old.put("value", 1.0);
        GenericRecord young = new GenericData.Record(V2);
        young.put("name", "b");
        young.put("value", 2.0);
        young.put("unit", "bar");
        byte[] oldBytes = serializer.serialize("t", old);
        byte[] newBytes = serializer.serialize("t", young);
        assertThat(WireFormat.schemaId(oldBytes, "t")).isNotEqualTo(WireFormat.schemaId(newBytes, "t"));

        AvroDeserializer<GenericRecord> asV2 = new AvroDeserializer<>(registry, V2, GenericData.get());
        assertThat(asV2.deserialize("t", oldBytes).get("unit")).isNull();
        assertThat(asV2.deserialize("t", newBytes).get("unit").toString()).isEqualTo("bar");

        AvroDeserializer<GenericRecord> asV1 = new AvroDeserializer<>(registry, V1, GenericData.get());
        GenericRecord newAsOld = asV1.deserialize("t", newBytes);
        assertThat(newAsOld.getSchema()).isEqualTo(V1);
        assertThat(newAsOld.get("value")).isEqualTo(2.0);

        AvroDeserializer<GenericRecord> asWriter = new AvroDeserializer<>(registry, null, GenericData.get());
        assertThat(asWriter.deserialize("t", newBytes).getSchema()).isEqualTo(V2);
    }

    @Test
    void shouldReportIncompatibleReaderSchema() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(SCOPE);
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry, new SerdeConfig(true, false, "TopicNameStrategy"), false);
        GenericRecord old = new GenericData.Record(V1);
        old.put("name", "a");
        old.put("value", 1.0);
        byte[] bytes = serializer.serialize("t", old);
        Schema needsUnit = SchemaBuilder.record("Reading").namespace("t").fields()
                .requiredString("name").requiredDouble("value").requiredString("unit").endRecord();

        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> new AvroDeserializer<GenericRecord>(registry, needsUnit, GenericData.get()).deserialize("t", bytes));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.INCOMPATIBLE_SCHEMA);
        assertThat(e).hasMessageContaining("unit");
    }
}
