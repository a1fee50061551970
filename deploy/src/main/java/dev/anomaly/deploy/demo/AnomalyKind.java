package dev.anomaly.deploy.demo;

/** Ground-truth label of a simulated reading. */
public enum AnomalyKind {
    /** A normal reading. */
    NONE,
    /** One reading far outside its usual range (sensor glitch, impact). */
    SPIKE,
    /** A sensor frozen at an old value while the machine's state moves on. */
    STUCK,
    /** Readings individually plausible but inconsistent with each other (power without speed). */
    BROKEN_CORRELATION,
    /** A slow growing offset on one sensor (fouling, calibration loss). */
    DRIFT
}
