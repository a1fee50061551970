package dev.anomaly.trainer.data;

import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.example.LabelledReading;
import dev.anomaly.schemas.example.TelemetrySimulator;
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
        List<LabelledReading> readings = TelemetrySimulator.withDefaults(5).next(500);
        try (DataFileWriter<MachineTelemetry> w = new DataFileWriter<>(new SpecificDatumWriter<>(MachineTelemetry.class))) {
            w.create(MachineTelemetry.getClassSchema(), file.toFile());
            for (LabelledReading r : readings) {
                w.append(r.reading());
            }
        }

        Dataset d = AvroFileData.read(file, Optional.empty(), null, List.of(), List.of("machineId"), 20);

        assertThat(d.rows()).isEqualTo(500);
        assertThat(d.spec().features()).extracting(f -> f.name())
                .containsExactly("mode", "rpm", "powerKw", "temperatureC", "vibrationMm", "pressureBar", "flowM3h", "valveOpen");
        assertThat(d.spec().features().get(0).type()).isEqualTo(FeatureType.CATEGORICAL);
        assertThat(d.spec().features().get(0).categories()).containsExactlyInAnyOrder("IDLE", "NORMAL", "BOOST");
        assertThat(d.get(0, d.spec().columnNames().indexOf("rpm"))).isEqualTo((float) readings.get(0).reading().getRpm());
    }

    @Test
    void shouldRejectFilesThatAreNotAvro() throws IOException {
        Path bogus = dir.resolve("bogus.avro");
        Files.writeString(bogus, "not avro");
        assertThatThrownBy(() -> AvroFileData.records(bogus)).isInstanceOf(DataException.class).hasMessageContaining("Cannot read Avro file");
    }
}
