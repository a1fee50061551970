package dev.anomaly.detector.episodes;

import dev.anomaly.schemas.config.ToolConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.time.Duration;
import java.util.Optional;

/**
 * How alerts become episodes.
 *
 * @param topic   where episode records go (empty: no episodes)
 * @param gap     alerts of one key at most this far apart in event time belong to one episode; an episode closes once
 *                the task's stream time, or the wall clock since its latest alert was scored, passes this
 * @param maxOpen open episodes kept per task; beyond it the one quiet longest is closed ("evicted")
 */
public record EpisodeSettings(Optional<String> topic, Duration gap, int maxOpen) {
    public static final String TOPIC = "detector.episodes.topic";
    public static final String GAP_MS = "detector.episodes.gap.ms";
    public static final String MAX_OPEN = "detector.episodes.max.open";

    public static ConfigDef define(ConfigDef d) {
        return d.define(TOPIC, Type.STRING, "anomaly-episodes", Importance.MEDIUM,
                        "Topic of AlertEpisode records (open, updates, close per incident); empty: no episodes.")
                .define(GAP_MS, Type.LONG, 300_000L, Range.between(1_000L, 7L * 24 * 3600 * 1000), Importance.MEDIUM,
                        "Alerts of one key at most this far apart (event time) form one episode; it closes after this long without one.")
                .define(MAX_OPEN, Type.INT, 100_000, Range.between(1, 10_000_000), Importance.LOW,
                        "Open episodes kept per task (state store entries); beyond it the quietest is closed as 'evicted'.");
    }

    public static EpisodeSettings of(ToolConfig.Values v) {
        return new EpisodeSettings(v.optional(TOPIC), Duration.ofMillis(v.longValue(GAP_MS)), v.integer(MAX_OPEN));
    }

    public boolean enabled() {
        return topic.isPresent();
    }
}
