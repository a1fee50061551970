package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureExtractionException;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.registry.InMemorySchemaRegistry;
import dev.anomaly.schemas.registry.RegistryClientConfig;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds random and mutated Confluent wire-format records through the serde and the feature extraction, as the
 * detector does for every input record. Runs in its own JVM with a 256 MB heap (the {@code fuzz} execution in
 * schemas/pom.xml): a record that made the reader honour a length or count it claims would fail the run with an
 * OutOfMemoryError long before the allocation check below.
 *
 * <p>Every record must map to exactly one outcome — a feature row, or one reason code — and no other exception or
 * error may escape. What each record made this thread allocate is measured and bounded by a small multiple of its size.
 */
class WireFormatFuzzTest {
    private static final String SCOPE = "fuzz";
    private static final int RECORDS = 120_000;
    private static final long SEED = 20261202L;

    /** A schema with every kind of length prefix and count Avro has, recursion, and the spec's numeric fields. */
    private static final Schema NASTY = new Schema.Parser().parse("""
            {"type":"record","name":"Nasty","namespace":"fuzz","fields":[
              {"name":"rpm","type":"double"},
              {"name":"powerKw","type":["null","double"]},
              {"name":"mode","type":{"type":"enum","name":"Mode","symbols":["IDLE","NORMAL","BOOST"]}},
              {"name":"label","type":"string"},
              {"name":"blob","type":"bytes"},
              {"name":"digest","type":{"type":"fixed","name":"Digest","size":16}},
              {"name":"nulls","type":{"type":"array","items":"null"}},
              {"name":"mixed","type":{"type":"array","items":["null","long","string",
                  {"type":"record","name":"Empty","fields":[]}]}},
              {"name":"series","type":{"type":"map","values":{"type":"array","items":"double"}}},
              {"name":"next","type":["null",{"type":"record","name":"Node","fields":[
                  {"name":"value","type":"int"},{"name":"next","type":["null","Node"]}]}]}
            ]}""");

    private static final FeatureSpec SPEC = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("powerKw"),
            Feature.categorical("mode", List.of("IDLE", "NORMAL", "BOOST")));

    @AfterEach
    void tearDown() {
        InMemorySchemaRegistry.drop(SCOPE);
    }

    @Test
    void everyRecordMapsToExactlyOneOutcomeAndNothingEscapes() {
        Map<String, Object> config = Map.of(RegistryClientConfig.URL, "mock://" + SCOPE);
        AvroSerializer<org.apache.avro.generic.GenericContainer> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        AvroDeserializer<GenericRecord> deserializer = new AvroDeserializer<>();
        deserializer.configure(config, false);

        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            MachineTelemetry m = MachineTelemetry.newBuilder().setMachineId("pump-" + random.nextInt(10))
                    .setTimestamp(java.time.Instant.ofEpochMilli(1_767_225_600_000L + i * 30_000L)).setMode(List.of("IDLE", "NORMAL", "BOOST").get(i % 3))
                    .setRpm(900 + random.nextDouble() * 1200).setPowerKw(20 + random.nextDouble() * 30).setTemperatureC(40 + random.nextDouble() * 40)
                    .setVibrationMm(random.nextDouble() * 4).setPressureBar(2 + random.nextDouble() * 2).setFlowM3h(30 + random.nextDouble() * 50)
                    .setValveOpen(random.nextInt(10) == 0).build();
            seeds.add(serializer.serialize("in", m));
            seeds.add(serializer.serialize("other", nasty(random)));
        }
        int[] ids = {ByteBuffer.wrap(seeds.get(0), 1, 4).getInt(), ByteBuffer.wrap(seeds.get(1), 1, 4).getInt()};

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> escaped = new ArrayList<>();
        float[] row = new float[SPEC.width()];
        long worstExcess = 0;
        String worstRecord = "";
        for (int i = 0; i < RECORDS; i++) {
            byte[] record = generate(random, seeds, ids);
            long before = threads.getCurrentThreadAllocatedBytes();
            String outcome;
            try {
                GenericRecord read = deserializer.deserialize("in", record);
                if (read == null) {
                    outcome = "TOMBSTONE";
                } else {
                    SPEC.extractInto(read, row, 0);
                    outcome = "SCORED";
                }
            } catch (WireFormatException e) {
                outcome = e.reason().name();
            } catch (FeatureExtractionException e) {
                outcome = e.reason().name();
            } catch (Throwable t) { // the point of the test: nothing else may come out, not even an Error
                outcome = "ESCAPED";
                if (escaped.size() < 10) {
                    escaped.add(t + " on " + hex(record));
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // Decoding may allocate a small multiple of the record (objects per field, strings as UTF-16, a
            // stack trace for an exception), never what a length or count inside it claims.
            long excess = allocated - 64L * record.length;
            if (excess > worstExcess) {
                worstExcess = excess;
                worstRecord = hex(record);
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.printf("Fuzzed %,d records (seed %d): %s; most allocated beyond 64 x size: %,d bytes; heap max %,d MB%n",
                RECORDS, SEED, outcomes, worstExcess, Runtime.getRuntime().maxMemory() >> 20);

        assertThat(escaped).as("exceptions or errors that escaped").isEmpty();
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(RECORDS);
        assertThat(outcomes).as("the generator reaches the interesting outcomes")
                .containsKeys("SCORED", "TRUNCATED", "BAD_PAYLOAD", "UNKNOWN_SCHEMA_ID", "BAD_MAGIC_BYTE", "EMPTY");
        assertThat(worstExcess).as("allocation beyond 64 x the record's size (worst record %s)", worstRecord).isLessThan(2 << 20);
    }

    /** One record: valid, mutated in one of several ways, from another schema's id, or random bytes. */
    private static byte[] generate(SplittableRandom random, List<byte[]> seeds, int[] ids) {
        byte[] base = seeds.get(random.nextInt(seeds.size())).clone();
        switch (random.nextInt(10)) {
            case 0:
                return base; // valid
            case 1: { // flip a few bytes of the payload
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    int at = 5 + random.nextInt(base.length - 5);
                    base[at] = (byte) random.nextInt(256);
                }
                return base;
            }
            case 2: { // a varint claiming a huge length or count, at a random place in the payload
                byte[] varint = hugeVarint(random);
                int at = 5 + random.nextInt(base.length - 4);
                byte[] out = new byte[base.length + varint.length];
                System.arraycopy(base, 0, out, 0, at);
                System.arraycopy(varint, 0, out, at, varint.length);
                System.arraycopy(base, at, out, at + varint.length, base.length - at);
                return out;
            }
            case 3: // cut short
                return java.util.Arrays.copyOf(base, random.nextInt(base.length));
            case 4: { // garbage appended
                byte[] out = java.util.Arrays.copyOf(base, base.length + 1 + random.nextInt(64));
                for (int i = base.length; i < out.length; i++) {
                    out[i] = (byte) random.nextInt(256);
                }
                return out;
            }
            case 5: { // read with the other schema's id, or an id nobody registered
                int id = random.nextBoolean() ? ids[random.nextInt(ids.length)] : random.nextInt();
                ByteBuffer.wrap(base).position(1).putInt(id);
                return base;
            }
            case 6: // wrong magic byte
                base[0] = (byte) (1 + random.nextInt(255));
                return base;
            case 7: { // header with a known id, then random bytes
                byte[] out = new byte[5 + random.nextInt(200)];
                random.nextBytes(out);
                out[0] = 0;
                ByteBuffer.wrap(out).position(1).putInt(ids[random.nextInt(ids.length)]);
                return out;
            }
            case 8: { // entirely random, sometimes empty
                byte[] out = new byte[random.nextInt(40)];
                random.nextBytes(out);
                return out;
            }
            default: { // a run of bytes with the continuation bit (varints that never end, deep unions)
                byte[] out = java.util.Arrays.copyOf(base, base.length + 1 + random.nextInt(4096));
                java.util.Arrays.fill(out, 5 + random.nextInt(base.length - 5), out.length, (byte) (random.nextBoolean() ? 0x82 : 0x02));
                return out;
            }
        }
    }

    /** A zig-zag varint between 2^20 and 2^62 (or negative), as an attacker would write a length or a count. */
    private static byte[] hugeVarint(SplittableRandom random) {
        long v = random.nextBoolean() ? (1L << (20 + random.nextInt(42))) + random.nextInt(1000) : -(1L << random.nextInt(62));
        long zz = (v << 1) ^ (v >> 63);
        ByteBuffer out = ByteBuffer.allocate(10);
        while ((zz & ~0x7fL) != 0) {
            out.put((byte) ((zz & 0x7f) | 0x80));
            zz >>>= 7;
        }
        out.put((byte) zz);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    private static GenericRecord nasty(SplittableRandom random) {
        GenericRecord r = new GenericData.Record(NASTY);
        r.put("rpm", 1000 + random.nextDouble() * 1000);
        r.put("powerKw", random.nextBoolean() ? null : random.nextDouble() * 50);
        r.put("mode", new GenericData.EnumSymbol(NASTY.getField("mode").schema(), List.of("IDLE", "NORMAL", "BOOST").get(random.nextInt(3))));
        r.put("label", "pump-" + random.nextInt(100));
        byte[] blob = new byte[random.nextInt(32)];
        random.nextBytes(blob);
        r.put("blob", ByteBuffer.wrap(blob));
        byte[] digest = new byte[16];
        random.nextBytes(digest);
        r.put("digest", new GenericData.Fixed(NASTY.getField("digest").schema(), digest));
        List<Object> nulls = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            nulls.add(null);
        }
        r.put("nulls", nulls);
        Schema empty = NASTY.getField("mixed").schema().getElementType().getTypes().get(3);
        List<Object> mixed = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            mixed.add(switch (random.nextInt(4)) {
                case 0 -> null;
                case 1 -> random.nextLong();
                case 2 -> "x" + random.nextInt();
                default -> new GenericData.Record(empty);
            });
        }
        r.put("mixed", mixed);
        Map<String, Object> series = new java.util.HashMap<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            series.put("s" + i, List.of(random.nextDouble(), random.nextDouble()));
        }
        r.put("series", series);
        Schema node = NASTY.getField("next").schema().getTypes().get(1);
        GenericRecord head = null;
        for (int i = random.nextInt(4); i > 0; i--) {
            GenericRecord n = new GenericData.Record(node);
            n.put("value", i);
            n.put("next", head);
            head = n;
        }
        r.put("next", head);
        return r;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 48); i++) {
            s.append(String.format("%02x", bytes[i]));
        }
        return s + (bytes.length > 48 ? "… (" + bytes.length + " bytes)" : "");
    }
}
