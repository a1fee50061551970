package dev.anomaly.trainer;

import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import org.apache.avro.generic.GenericRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Seeded synthetic pump telemetry for trainer tests, made here (the demo's richer simulator lives in deploy): a daily
 * load drives speed, pressure and flow; power follows speed and pressure; temperature follows power; vibration follows
 * speed; a bypass valve drops pressure and raises flow. Anomalies break one of these: a vibration spike, an overheating
 * bearing, a pressure surge, or power that no longer follows speed.
 */
public final class TestData {
    static final FeatureSpec TELEMETRY_SPEC = FeatureSpec.of(
            Feature.numeric("rpm"), Feature.numeric("powerKw"), Feature.numeric("temperatureC"),
            Feature.numeric("vibrationMm"), Feature.numeric("pressureBar"), Feature.numeric("flowM3h"),
            Feature.bool("valveOpen"), Feature.categorical("mode", List.of("IDLE", "NORMAL", "BOOST")));

    private TestData() {
    }

    /** Telemetry with labels (1 = injected anomaly). */
    public static Dataset telemetry(long seed, int rows, double anomalyRate) {
        SplittableRandom random = new SplittableRandom(seed);
        List<GenericRecord> records = new ArrayList<>(rows);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            boolean anomaly = random.nextDouble() < anomalyRate;
            records.add(reading(random, i, anomaly));
            labels[i] = anomaly ? 1 : 0;
        }
        Dataset d = RecordData.toDataset(records, TELEMETRY_SPEC, Optional.empty(), "simulated telemetry");
        return new Dataset(d.spec(), d.values(), d.rows(), Optional.of(labels), d.source());
    }

    /** Reading {@code i} (one a minute), normal or with one of the injected faults. */
    public static MachineTelemetry reading(SplittableRandom random, int i, boolean anomaly) {
        double load = 0.55 + 0.35 * Math.sin(2 * Math.PI * i / 1440.0) + random.nextGaussian() * 0.05;
        boolean valve = random.nextDouble() < 0.1;
        double rpm = 900 + 1200 * load + random.nextGaussian() * 20;
        double pressure = 2.5 + 1.5 * load - (valve ? 0.8 : 0) + random.nextGaussian() * 0.05;
        double flow = 30 + 50 * load + (valve ? 15 : 0) + random.nextGaussian() * 1.5;
        double power = 0.02 * rpm + 5 * pressure + random.nextGaussian();
        double temperature = 40 + 0.8 * power + random.nextGaussian();
        double vibration = 1 + 0.001 * rpm + random.nextGaussian() * 0.1;
        if (anomaly) {
            switch (random.nextInt(4)) {
                case 0 -> vibration *= 5;
                case 1 -> temperature += 30;
                case 2 -> pressure *= 2.2;
                default -> power *= 0.4;
            }
        }
        String mode = rpm < 1200 ? "IDLE" : rpm > 1850 ? "BOOST" : "NORMAL";
        return MachineTelemetry.newBuilder().setMachineId("pump-" + (i % 10)).setTimestamp(Instant.ofEpochSecond(1_767_225_600L + 60L * i))
                .setMode(mode).setRpm(rpm).setPowerKw(power).setTemperatureC(temperature).setVibrationMm(vibration)
                .setPressureBar(pressure).setFlowM3h(flow).setValveOpen(valve).build();
    }
}
