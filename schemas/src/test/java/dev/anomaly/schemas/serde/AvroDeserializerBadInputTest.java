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

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Bad bytes give a {@link WireFormatException} with a reason and a clear message: never an NPE or OOM. What a bad
 * record makes the reader allocate is measured (this thread's allocation counter), not how long it takes.
 */
class AvroDeserializerBadInputTest {
    private static final String SCOPE = "bad-input-test";
    private static final Schema SCHEMA = SchemaBuilder.record("Reading").namespace("t").fields()
            .requiredString("name").requiredDouble("value").requiredLong("at").endRecord();

    /** What rejecting a record of a few bytes may allocate: a claim of gigabytes must not be honoured. */
    private static final long LIMIT = 1 << 20;

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

    /**
     * Bytes this thread allocated while {@code action} ran, the second time: the first run loads classes and fills
     * caches, which allocates a few megabytes that say nothing about the input.
     */
    static long allocatedBy(Runnable action) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        action.run();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private WireFormatException failure(byte[] bytes) {
        deserializer.deserialize("in", valid()); // the reader for the schema id is built and cached before measuring
        WireFormatException[] caught = new WireFormatException[1];
        long allocated = allocatedBy(() -> caught[0] = catchThrowableOfType(WireFormatException.class, () -> deserializer.deserialize("in", bytes)));
        assertThat(caught[0]).as("a WireFormatException").isNotNull();
        assertThat(allocated).as("bytes allocated to reject a %d-byte record", bytes.length).isLessThan(LIMIT);
        return caught[0];
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
    void shouldRejectLengthPrefixNear2GiBWithoutAllocatingIt() {
        byte[] bytes = valid();
        // Five bytes of header, then zig-zag varint 2^31 - 2 (Avro's default limit would allow it).
        byte[] evil = new byte[]{bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], (byte) 0xfc, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        assertThat(failure(evil).reason()).isIn(WireFormatException.Reason.TRUNCATED, WireFormatException.Reason.BAD_PAYLOAD);
    }

    @Test
    void shouldRejectHugeArrayAndMapCountsWithoutAllocatingThem() {
        Schema nested = SchemaBuilder.record("Nested").namespace("t").fields()
                .name("nulls").type().array().items().nullType().noDefault()
                .name("tags").type().map().values().stringType().noDefault().endRecord();
        GenericRecord r = new GenericData.Record(nested);
        r.put("nulls", java.util.List.of());
        r.put("tags", Map.of());
        byte[] ok = serializer.serialize("in", r);
        deserializer.deserialize("in", ok);
        // ~2^31 nulls: zero-size items, the count alone would allocate 16 GiB of slots.
        byte[] nulls = new byte[]{ok[0], ok[1], ok[2], ok[3], ok[4], (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0, 0};
        WireFormatException[] caught = new WireFormatException[2];
        long a = allocatedBy(() -> caught[0] = catchThrowableOfType(WireFormatException.class, () -> deserializer.deserialize("in", nulls)));
        // A map block of ~2^30 entries.
        byte[] map = new byte[]{ok[0], ok[1], ok[2], ok[3], ok[4], 0, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0};
        long b = allocatedBy(() -> caught[1] = catchThrowableOfType(WireFormatException.class, () -> deserializer.deserialize("in", map)));
        assertThat(caught).allSatisfy(e -> assertThat(e.reason()).isEqualTo(WireFormatException.Reason.BAD_PAYLOAD));
        assertThat(a).isLessThan(LIMIT);
        assertThat(b).isLessThan(LIMIT);
    }

    @Test
    void shouldRejectSchemaWithHugeFixedBeforeReadingAnyRecord() {
        // A fixed value is allocated before its bytes are read: the schema alone would make every record allocate it.
        // (Avro's own system limit, set in the build and the launcher, refuses to even build one above 64 MiB.)
        Schema huge = SchemaBuilder.record("Blob").namespace("t").fields()
                .name("blob").type().fixed("Huge").size(8 << 20).noDefault().endRecord();
        int id = InMemorySchemaRegistry.scope(SCOPE).register("blob-value", huge);
        AvroDeserializer<GenericRecord> capped = new AvroDeserializer<>();
        capped.configure(Map.of(RegistryClientConfig.URL, "mock://" + SCOPE, DecodeLimits.MAX_LENGTH, "1048576"), false);
        byte[] bytes = java.nio.ByteBuffer.allocate(6).put((byte) 0).putInt(id).put((byte) 0).array();
        WireFormatException[] caught = new WireFormatException[1];
        long allocated = allocatedBy(() -> caught[0] = catchThrowableOfType(WireFormatException.class, () -> capped.deserialize("blob", bytes)));
        assertThat(caught[0].reason()).isEqualTo(WireFormatException.Reason.UNSUPPORTED_SCHEMA);
        assertThat(caught[0]).hasMessageContaining("fixed t.Huge of 8388608 bytes").hasMessageContaining(DecodeLimits.MAX_LENGTH);
        assertThat(allocated).isLessThan(LIMIT);
    }

    @Test
    void shouldRejectNestingTooDeepForTheStack() {
        Schema list = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Node\",\"namespace\":\"t\",\"fields\":["
                + "{\"name\":\"next\",\"type\":[\"null\",\"Node\"]}]}");
        int id = InMemorySchemaRegistry.scope(SCOPE).register("deep-value", list);
        byte[] deep = new byte[5 + 1_000_000];
        java.nio.ByteBuffer.wrap(deep).put((byte) 0).putInt(id);
        Arrays.fill(deep, 5, deep.length - 1, (byte) 2); // union branch 1 (a Node) again and again
        WireFormatException e = catchThrowableOfType(WireFormatException.class, () -> deserializer.deserialize("deep", deep));
        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.BAD_PAYLOAD);
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
