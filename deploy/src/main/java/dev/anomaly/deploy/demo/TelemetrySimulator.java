package dev.anomaly.deploy.demo;

import dev.anomaly.schemas.avro.MachineTelemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates pump telemetry with physical couplings, daily load cycles and noise, and injects labelled anomalies.
 * Deterministic for a given seed. Load drives speed; power follows speed and pressure; temperature follows power;
 * vibration follows speed; an open bypass valve drops pressure and raises flow.
 */
public final class TelemetrySimulator {
    private static final String[] MODES = {"IDLE", "NORMAL", "BOOST"};
    private static final double DAY_SECONDS = 86_400;

    private final SplittableRandom random;
    private final int machines;
    private final Duration step;
    private final double anomalyRate;
    private Instant now;
    private long index;
    /** Regime shift: multiplies the speed set-point and offsets temperature (for drift scenarios). */
    private double speedFactor = 1.0;
    private double temperatureOffset = 0.0;
    private final double[] driftOffset;
    private final double[] lastTemperature;

    /**
     * @param seed        random seed; the same seed gives the same stream
     * @param machines    number of machines interleaved in the stream
     * @param start       timestamp of the first reading
     * @param step        time between readings of one machine
     * @param anomalyRate fraction of readings turned into anomalies, in [0, 1)
     */
    public TelemetrySimulator(long seed, int machines, Instant start, Duration step, double anomalyRate) {
        if (machines < 1) {
            throw new IllegalArgumentException("machines must be >= 1");
        }
        if (anomalyRate < 0 || anomalyRate >= 1) {
            throw new IllegalArgumentException("anomalyRate must be in [0, 1)");
        }
        this.random = new SplittableRandom(seed);
        this.machines = machines;
        this.step = step;
        this.anomalyRate = anomalyRate;
        this.now = start;
        this.driftOffset = new double[machines];
        this.lastTemperature = new double[machines];
    }

    /** Ten machines, one reading per machine every 10 s, 1 % anomalies, from 2026-01-01. */
    public static TelemetrySimulator withDefaults(long seed) {
        return new TelemetrySimulator(seed, 10, Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(10), 0.01);
    }

    /** Shifts the operating regime from now on: speeds scaled by {@code speedFactor}, temperatures offset. */
    public void shiftRegime(double speedFactor, double temperatureOffset) {
        this.speedFactor = speedFactor;
        this.temperatureOffset = temperatureOffset;
    }

    public List<LabelledReading> next(int n) {
        List<LabelledReading> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    public LabelledReading next() {
        int machine = (int) (index % machines);
        if (machine == 0 && index > 0) {
            now = now.plus(step);
        }
        index++;
        double seconds = now.getEpochSecond();
        double phase = 2 * Math.PI * ((seconds / DAY_SECONDS) + machine * 0.07);
        double load = clamp(0.55 + 0.3 * Math.sin(phase) + 0.05 * gauss(), 0.05, 1.0);
        String mode = load < 0.3 ? MODES[0] : load > 0.8 ? MODES[2] : MODES[1];
        boolean valveOpen = random.nextDouble() < 0.05;
        double rpm = speedFactor * (600 + 1800 * load) + 15 * gauss();
        double pressure = 1.5 + 0.0015 * rpm - (valveOpen ? 0.8 : 0.0) + 0.05 * gauss();
        double flow = 0.04 * rpm + (valveOpen ? 20 : 0) + 1.0 * gauss();
        double power = 0.012 * rpm + 4.0 * pressure + 0.4 * gauss();
        double temperature = 35 + 0.9 * power + temperatureOffset + 0.5 * gauss();
        double vibration = 0.8 + 0.0012 * rpm + 0.08 * Math.abs(gauss());

        AnomalyKind kind = AnomalyKind.NONE;
        if (random.nextDouble() < anomalyRate) {
            kind = AnomalyKind.values()[1 + random.nextInt(AnomalyKind.values().length - 1)];
            switch (kind) {
                case SPIKE -> {
                    switch (random.nextInt(3)) {
                        case 0 -> vibration *= 4 + 2 * random.nextDouble();
                        case 1 -> temperature += 25 + 10 * random.nextDouble();
                        default -> pressure *= 2.2;
                    }
                }
                case STUCK -> temperature = lastTemperature[machine] == 0 ? 20 : lastTemperature[machine] - 15;
                case BROKEN_CORRELATION -> power = power * (0.3 + 0.2 * random.nextDouble());
                case DRIFT -> {
                    driftOffset[machine] = 8 + 6 * random.nextDouble();
                    vibration += driftOffset[machine] * 0.3;
                    temperature += driftOffset[machine];
                }
                default -> throw new IllegalStateException();
            }
        }
        lastTemperature[machine] = temperature;
        MachineTelemetry reading = MachineTelemetry.newBuilder()
                .setMachineId(String.format("pump-%02d", machine))
                .setTimestamp(now)
                .setMode(mode)
                .setRpm(round(rpm, 1))
                .setPowerKw(round(power, 2))
                .setTemperatureC(round(temperature, 2))
                .setVibrationMm(round(vibration, 3))
                .setPressureBar(round(pressure, 3))
                .setFlowM3h(round(flow, 2))
                .setValveOpen(valveOpen)
                .build();
        return new LabelledReading(reading, kind);
    }

    private double gauss() {
        // Box-Muller on the seeded generator (SplittableRandom has no nextGaussian on Java 17).
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static double clamp(double x, double lo, double hi) {
        return Math.max(lo, Math.min(hi, x));
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }
}
