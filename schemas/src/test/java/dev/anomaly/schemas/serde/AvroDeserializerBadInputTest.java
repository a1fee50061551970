package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.InMemorySchemaRegistry;
import dev.anomaly.schemas.registry.RegistryClientConfig;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Bad bytes give a {@link WireFormatException} with a reason and a clear message: never a hang, NPE or OOM. */
class AvroDeserializerBadInputTest {
    private static final String SCOPE = "bad-input-test";
    private static final Schema SCHEMA = SchemaBuilder.record("Reading").namespace("t").fields()
            .requiredString("name").requiredDouble("value").requiredLong("at").endRecord();

    private AvroSerializer<GenericRecord> serializer;
    private AvroDeserializer<GenericRecord> deserializer;

    @BeforeEach
    void setUp() {
        Map<String, Object> config = Map.of(RegistryClientConfig.URL, "mock://" + SCOPE);
        serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        deserializer = new AvroDeserializer<>();
        deserializer.configure(config, false);
    }

    @AfterEach
    void tearDown() {
        InMemorySchemaRegistry.drop(SCOPE);
    }

    private byte[] valid() {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("name", "pump-01");
        r.put("value", 42.5);
        r.put("at", 1_700_000_000_000L);
        return serializer.serialize("in", r);
    }

    private WireFormatException failure(byte[] bytes) {
        return assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> catchThrowableOfType(WireFormatException.class, () -> deserializer.deserialize("in", bytes)));
    }

    @Test
    void shouldReadValidBytes() {
        GenericRecord back = deserializer.deserialize("in", valid());
        assertThat(back.get("name").toString()).isEqualTo("pump-01");
        assertThat(back.get("value")).isEqualTo(42.5);
    }

    @Test
    void shouldPassTombstonesThroughAsNull() {
        assertThat(deserializer.deserialize("in", null)).isNull();
    }

    @Test
    void shouldRejectEmptyValue() {
        WireFormatException e = failure(new byte[0]);
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.EMPTY);
        assertThat(e).hasMessageContaining("topic 'in'").hasMessageContaining("empty");
    }

    @Test
    void shouldRejectWrongMagicByte() {
        byte[] bytes = valid();
        bytes[0] = 0x7b; // '{' : somebody wrote JSON
        WireFormatException e = failure(bytes);
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.BAD_MAGIC_BYTE);
        assertThat(e).hasMessageContaining("0x7b");
    }

    @Test
    void shouldRejectHeaderShorterThanFiveBytes() {
        WireFormatException e = failure(new byte[]{0, 0, 1});
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TRUNCATED);
        assertThat(e).hasMessageContaining("3 bytes");
    }

    @Test
    void shouldRejectUnknownSchemaId() {
        byte[] bytes = valid();
        bytes[1] = 0x10; // id 0x10000001
        WireFormatException e = failure(bytes);
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.UNKNOWN_SCHEMA_ID);
        assertThat(e).hasMessageContaining("schema id " + 0x10000001);
    }

    @Test
    void shouldRejectTruncatedPayload() {
        byte[] bytes = valid();
        WireFormatException e = failure(Arrays.copyOf(bytes, bytes.length - 4));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.TRUNCATED);
        assertThat(e).hasMessageContaining("ends early");
    }

    @Test
    void shouldRejectTrailingGarbage() {
        byte[] bytes = valid();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        WireFormatException e = failure(longer);
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.BAD_PAYLOAD);
        assertThat(e).hasMessageContaining("trailing bytes");
    }

    @Test
    void shouldRejectHugeLengthPrefixWithoutAllocatingIt() {
        byte[] bytes = valid();
        // Replace the string length with a varint claiming ~1 GiB.
        byte[] evil = new byte[]{bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2};
        WireFormatException e = failure(evil);
        assertThat(e.reason()).isIn(WireFormatException.Reason.TRUNCATED, WireFormatException.Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldRejectNegativeLengthPrefix() {
        byte[] bytes = valid();
        byte[] evil = Arrays.copyOf(bytes, bytes.length);
        evil[5] = 0x01; // zig-zag 1 = length -1
        WireFormatException e = failure(evil);
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.BAD_PAYLOAD);
    }
}
