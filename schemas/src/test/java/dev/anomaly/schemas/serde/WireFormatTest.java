package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.InMemorySchemaRegistry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the bytes we write against the Confluent wire-format specification: magic byte 0, schema id as a 4-byte
 * big-endian int, then the plain Avro binary encoding (zig-zag varints, length-prefixed strings).
 */
class WireFormatTest {
    private static final String SCOPE = "wire-format-test";
    private static final Schema SCHEMA = SchemaBuilder.record("Reading").namespace("t").fields()
            .requiredInt("count").requiredString("name").requiredDouble("value").endRecord();

    @AfterEach
    void dropScope() {
        InMemorySchemaRegistry.drop(SCOPE);
    }

    @Test
    void shouldWriteMagicByteBigEndianIdAndAvroBinaryPayload() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(SCOPE);
        // Push the id past one byte so byte order matters: ids 1..299 go to other subjects.
        for (int i = 0; i < 299; i++) {
            registry.register("filler-" + i, SchemaBuilder.record("F" + i).fields().requiredInt("x").endRecord());
        }
        AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(registry, new SerdeConfig(true, false, "TopicNameStrategy"), false);
        GenericRecord record = new GenericData.Record(SCHEMA);
        record.put("count", -3);
        record.put("name", "pump");
        record.put("value", 1.5);

        byte[] bytes = serializer.serialize("readings", record);

        int id = registry.latest("readings-value").id();
        assertThat(id).isEqualTo(300);
        ByteBuffer expected = ByteBuffer.allocate(5 + 1 + 5 + 8);
        expected.put((byte) 0);                        // magic byte
        expected.put(new byte[]{0x00, 0x00, 0x01, 0x2c}); // 300, big-endian
        expected.put((byte) 0x05);                     // int -3, zig-zag: (-3 << 1) ^ (-3 >> 31) = 5
        expected.put((byte) 0x08);                     // string length 4, zig-zag = 8
        expected.put(new byte[]{'p', 'u', 'm', 'p'});
        expected.put(new byte[]{0, 0, 0, 0, 0, 0, (byte) 0xf8, 0x3f}); // 1.5 as little-endian IEEE 754
        assertThat(bytes).containsExactly(expected.array());
        assertThat(WireFormat.schemaId(bytes, "readings")).isEqualTo(300);
    }

    @Test
    void shouldRegisterUnderTopicNameStrategySubjects() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(SCOPE);
        GenericRecord record = new GenericData.Record(SCHEMA);
        record.put("count", 1);
        record.put("name", "x");
        record.put("value", 0.0);
        new AvroSerializer<GenericRecord>(registry, new SerdeConfig(true, false, "TopicNameStrategy"), true).serialize("orders", record);
        new AvroSerializer<GenericRecord>(registry, new SerdeConfig(true, false, "TopicNameStrategy"), false).serialize("orders", record);

        assertThat(registry.latest("orders-key").schema()).isEqualTo(SCHEMA);
        assertThat(registry.latest("orders-value").schema()).isEqualTo(SCHEMA);
    }
}
