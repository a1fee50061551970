package dev.anomaly.deploy.demo;

import dev.anomaly.schemas.avro.MachineTelemetry;

/** A simulated reading with its ground truth. */
public record LabelledReading(MachineTelemetry reading, AnomalyKind kind) {
    public boolean isAnomaly() {
        return kind != AnomalyKind.NONE;
    }
}
