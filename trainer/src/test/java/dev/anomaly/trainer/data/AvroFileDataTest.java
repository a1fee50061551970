package dev.anomaly.trainer.data;

import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.features.FeatureType;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroFileDataTest {
    @TempDir
    Path dir;

    @Test
    void shouldInferFeaturesFromSchemaAndData() throws IOException {
        Path file = dir.resolve("telemetry.avro");
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        List<MachineTelemetry> readings = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            readings.add(dev.anomaly.trainer.TestData.reading(random, i * 3, false)); // across a whole day: every mode
        }
        try (DataFileWriter<MachineTelemetry> w = new DataFileWriter<>(new SpecificDatumWriter<>(MachineTelemetry.class))) {
            w.create(MachineTelemetry.getClassSchema(), file.toFile());
            for (MachineTelemetry r : readings) {
                w.append(r);
            }
        }

        Dataset d = AvroFileData.read(file, Optional.empty(), null, List.of(), List.of("machineId"), 20);

        assertThat(d.rows()).isEqualTo(500);
        assertThat(d.spec().features()).extracting(f -> f.name())
                .containsExactly("mode", "rpm", "powerKw", "temperatureC", "vibrationMm", "pressureBar", "flowM3h", "valveOpen");
        assertThat(d.spec().features().get(0).type()).isEqualTo(FeatureType.CATEGORICAL);
        assertThat(d.spec().features().get(0).categories()).containsExactlyInAnyOrder("IDLE", "NORMAL", "BOOST");
        assertThat(d.get(0, d.spec().columnNames().indexOf("rpm"))).isEqualTo((float) readings.get(0).getRpm());
    }

    @Test
    void shouldRejectACorruptBlockSizeWithoutAllocatingIt() throws IOException {
        Path file = dir.resolve("telemetry.avro");
        try (DataFileWriter<MachineTelemetry> w = new DataFileWriter<>(new SpecificDatumWriter<>(MachineTelemetry.class))) {
            w.create(MachineTelemetry.getClassSchema(), file.toFile());
            java.util.SplittableRandom random = new java.util.SplittableRandom(6);
            for (int i = 0; i < 10; i++) {
                w.append(dev.anomaly.trainer.TestData.reading(random, i, false));
            }
        }
        byte[] bytes = Files.readAllBytes(file);
        // The file ends with the 16-byte sync marker, which also closes the header: keep the header, then write one
        // block whose size claims 512 MiB, followed by a few bytes.
        byte[] sync = java.util.Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length);
        int headerEnd = 0;
        while (!java.util.Arrays.equals(bytes, headerEnd, headerEnd + 16, sync, 0, 16)) {
            headerEnd++;
        }
        java.io.ByteArrayOutputStream corrupt = new java.io.ByteArrayOutputStream();
        corrupt.write(bytes, 0, headerEnd + 16);
        corrupt.write(new byte[]{0x14, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x04, 1, 2, 3}); // 10 items, zig-zag 2^29 bytes
        Path bad = dir.resolve("corrupt.avro");
        Files.write(bad, corrupt.toByteArray());
        assertThatThrownBy(() -> AvroFileData.records(bad)).isInstanceOf(DataException.class).hasMessageContaining("claims 536870912 bytes");
    }

    @Test
    void shouldRejectFilesThatAreNotAvro() throws IOException {
        Path bogus = dir.resolve("bogus.avro");
        Files.writeString(bogus, "not avro");
        assertThatThrownBy(() -> AvroFileData.records(bogus)).isInstanceOf(DataException.class).hasMessageContaining("Cannot read Avro file");
    }
}
