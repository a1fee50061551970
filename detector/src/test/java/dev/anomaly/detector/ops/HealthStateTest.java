package dev.anomaly.detector.ops;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HealthStateTest {
    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final HealthState health = new HealthState(clock, Duration.ofSeconds(30), Duration.ofSeconds(10));

    private void running() {
        health.phase(HealthState.Phase.RUNNING);
        health.streamsState("RUNNING");
        health.model("pumps v1", true);
        health.broker(null);
        health.registry(null);
    }

    @Test
    void shouldBeReadyOnlyWithAModelAndItsDependenciesUp() {
        assertThat(health.evaluate().live()).isTrue();
        assertThat(health.evaluate().ready()).isFalse();
        running();
        assertThat(health.evaluate().ready()).isTrue();
        health.broker("TimeoutException: no answer");
        assertThat(health.evaluate().ready()).isFalse();
        assertThat(health.evaluate().detail()).contains("broker: TimeoutException");
        assertThat(health.evaluate().live()).isTrue();
        health.broker(null);
        health.registry("ConnectException");
        assertThat(health.evaluate().ready()).isFalse();
        health.registry(null);
        health.model("none", false);
        assertThat(health.evaluate().ready()).isFalse();
    }

    @Test
    void shouldTurnNotReadyWhenAStreamThreadWithTasksStopsTicking() {
        running();
        health.threadsWithTasks(Set.of("app-StreamThread-1"));
        assertThat(health.evaluate().ready()).isTrue();
        clock.millis += 11_000;
        assertThat(health.evaluate().ready()).isFalse();
        assertThat(health.evaluate().detail()).contains("app-StreamThread-1 stalled");
    }

    @Test
    void shouldTurnNotLiveWhenAModelCallIsStuckOrTheWatcherDies() {
        running();
        long token = health.scoringStarted();
        clock.millis += 31_000;
        assertThat(health.evaluate().live()).isFalse();
        health.scoringFinished(token);
        assertThat(health.evaluate().live()).isTrue();
        health.watcherStarted();
        health.watcherStopped("OutOfMemoryError");
        assertThat(health.evaluate().live()).isFalse();
        assertThat(health.evaluate().detail()).contains("models watcher stopped: OutOfMemoryError");
    }
}
