package dev.anomaly.schemas.avro;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Today's contracts against those of release 0.1.0 (kept in test resources): a consumer on either version reads what a
 * producer on the other writes, so detector, retraining job and downstream consumers can be upgraded one at a time.
 */
class ContractCompatibilityTest {
    static final Path RELEASED = Path.of("src/test/resources/contracts/0.1.0");

    static Stream<Schema[]> contracts() throws IOException {
        return Stream.of(Alert.getClassSchema(), DriftEvent.getClassSchema(), MachineTelemetry.getClassSchema(), ModelRelease.getClassSchema())
                .map(now -> new Schema[]{released(now.getName()), now});
    }

    static Schema released(String name) {
        try {
            return new Schema.Parser().parse(RELEASED.resolve(name + ".avsc").toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("contracts")
    void shouldReadEitherVersionWithTheOther(Schema released, Schema now) {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(now, released).getType())
                .as(now.getName() + ": today's reader, 0.1.0 writer").isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(released, now).getType())
                .as(now.getName() + ": 0.1.0 reader, today's writer").isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void shouldReadADriftEventOfTheFirstVersionWithNoMeasuresAndItsPsiAndKs() throws IOException {
        Schema released = released("DriftEvent");
        GenericRecord stat = new GenericData.Record(released.getField("score").schema());
        stat.put("name", "score");
        stat.put("psi", 0.7);
        stat.put("ks", 0.3);
        stat.put("fired", true);
        GenericRecord old = new GenericData.Record(released);
        old.put("eventId", "e-1");
        old.put("modelId", "pumps");
        old.put("modelVersion", 1);
        old.put("windowStart", 1L);
        old.put("windowEnd", 2L);
        old.put("windowRecords", 5000L);
        old.put("score", stat);
        old.put("features", List.of());
        old.put("alertRate", 0.2);
        old.put("expectedAlertRate", 0.01);
        old.put("fired", List.of("score"));
        old.put("detectedAt", 3L);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(released).write(old, encoder);
        encoder.flush();

        DriftEvent read = new SpecificDatumReader<DriftEvent>(released, DriftEvent.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

        assertThat(read.getScore().getPsi()).isEqualTo(0.7);
        assertThat(read.getScore().getKs()).isEqualTo(0.3);
        assertThat(read.getScore().getMeasures()).isEmpty();
    }

    @Test
    void shouldLetAFirstVersionReaderReadTodaysDriftEvent() throws IOException {
        DriftStatistic score = DriftStatistic.newBuilder().setName("score").setPsi(0.7).setKs(0.3).setFired(true)
                .setMeasures(List.of(new DriftMeasure("psi", 0.7, 0.25, true), new DriftMeasure("ks", 0.3, 0.2, true))).build();
        DriftEvent now = DriftEvent.newBuilder().setEventId("e-2").setModelId("pumps").setModelVersion(2)
                .setWindowStart(Instant.ofEpochMilli(1)).setWindowEnd(Instant.ofEpochMilli(2)).setWindowRecords(10)
                .setScore(score).setFeatures(List.of()).setAlertRate(0.1).setExpectedAlertRate(0.01).setFired(List.of("score"))
                .setDetectedAt(Instant.ofEpochMilli(3)).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<DriftEvent>(DriftEvent.class).write(now, encoder);
        encoder.flush();

        GenericRecord read = new GenericDatumReader<GenericRecord>(DriftEvent.getClassSchema(), released("DriftEvent"))
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

        assertThat(((GenericRecord) read.get("score")).get("psi")).isEqualTo(0.7);
        assertThat(((GenericRecord) read.get("score")).getSchema().getField("measures")).isNull();
    }
}
