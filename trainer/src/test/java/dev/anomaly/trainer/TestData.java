package dev.anomaly.trainer;

import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.example.LabelledReading;
import dev.anomaly.schemas.example.TelemetrySimulator;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import org.apache.avro.generic.GenericRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Seeded synthetic telemetry for trainer tests. */
final class TestData {
    static final FeatureSpec TELEMETRY_SPEC = FeatureSpec.of(
            Feature.numeric("rpm"), Feature.numeric("powerKw"), Feature.numeric("temperatureC"),
            Feature.numeric("vibrationMm"), Feature.numeric("pressureBar"), Feature.numeric("flowM3h"),
            Feature.bool("valveOpen"), Feature.categorical("mode", List.of("IDLE", "NORMAL", "BOOST")));

    private TestData() {
    }

    /** Telemetry with labels (1 = injected anomaly). */
    static Dataset telemetry(long seed, int rows, double anomalyRate) {
        TelemetrySimulator sim = new TelemetrySimulator(seed, 10, java.time.Instant.parse("2026-01-01T00:00:00Z"),
                java.time.Duration.ofSeconds(60), anomalyRate);
        List<GenericRecord> records = new ArrayList<>();
        int[] labels = new int[rows];
        int i = 0;
        for (LabelledReading r : sim.next(rows)) {
            records.add(r.reading());
            labels[i++] = r.isAnomaly() ? 1 : 0;
        }
        Dataset d = RecordData.toDataset(records, TELEMETRY_SPEC, Optional.empty(), "simulated telemetry");
        return new Dataset(d.spec(), d.values(), d.rows(), Optional.of(labels), d.source());
    }

    static MachineTelemetry reading(long seed) {
        return TelemetrySimulator.withDefaults(seed).next().reading();
    }
}
