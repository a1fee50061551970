package dev.anomaly.detector.windows;

import dev.anomaly.schemas.config.ToolConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.time.Duration;

/**
 * How a windowed model's per-key windows are kept (the window itself — key, time, size, stride — is the model's).
 *
 * @param maxGap     a record further than this after its key's latest (event time) starts the window afresh: the
 *                   rows before the gap are not this series' recent past any more; zero: never
 * @param idleExpiry a key with no record for this long (stream time) is forgotten, bounding the store
 * @param maxKeys    keys a task keeps windows for; a record of a new key beyond it is dead-lettered (a flood of
 *                   made-up keys cannot fill the disk)
 * @param maxKeyBytes longest key (UTF-8 bytes) a window is kept for; a longer one is dead-lettered
 */
public record WindowSettings(Duration maxGap, Duration idleExpiry, long maxKeys, int maxKeyBytes) {
    public static final String MAX_GAP_MS = "detector.windows.max.gap.ms";
    public static final String IDLE_EXPIRY_MS = "detector.windows.idle.expiry.ms";
    public static final String MAX_KEYS = "detector.windows.max.keys";
    public static final String MAX_KEY_BYTES = "detector.windows.max.key.bytes";

    public static ConfigDef define(ConfigDef d) {
        return d.define(MAX_GAP_MS, Type.LONG, 0L, Range.atLeast(0L), Importance.MEDIUM,
                        "A record more than this after its key's latest (event time) restarts the key's window; 0: never.")
                .define(IDLE_EXPIRY_MS, Type.LONG, 24L * 3600 * 1000, Range.atLeast(1_000L), Importance.MEDIUM,
                        "A key without records for this long (stream time) is dropped from the window store.")
                .define(MAX_KEYS, Type.LONG, 1_000_000L, Range.atLeast(1L), Importance.LOW,
                        "Keys a task keeps windows for; a record of a new key beyond it is dead-lettered (WINDOW_KEYS_FULL).")
                .define(MAX_KEY_BYTES, Type.INT, 1024, Range.between(1, 1 << 20), Importance.LOW,
                        "Longest window key (UTF-8 bytes); a record with a longer one is dead-lettered (WINDOW_KEY_TOO_LONG).");
    }

    public static WindowSettings of(ToolConfig.Values v) {
        return new WindowSettings(Duration.ofMillis(v.longValue(MAX_GAP_MS)), Duration.ofMillis(v.longValue(IDLE_EXPIRY_MS)),
                v.longValue(MAX_KEYS), v.integer(MAX_KEY_BYTES));
    }
}
