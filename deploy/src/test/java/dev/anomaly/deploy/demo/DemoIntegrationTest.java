package dev.anomaly.deploy.demo;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.schemas.avro.ModelKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's path, shortened, on the embedded stack. Floors: the injected spikes are 4-6x vibration, +25-35 C or 2.2x
 * pressure, and broken correlations cut power to 30-50 % of what speed and pressure imply — far outside the normal
 * spread, so a model trained on the history must catch at least 80 % of all anomalies; stuck sensors and slow drifts
 * are subtler, which is why the floor is not higher. With a 1 % target alert rate and ~1 % anomalies, precision above
 * 0.4 means most alerts are real.
 */
@ExtendWith(SharedLocalStack.class)
class DemoIntegrationTest {
    @Test
    void shouldStreamTrainDetectAndSummariseSanely(LocalStack stack, @TempDir Path dir) throws Exception {
        DemoSource source = DemoSource.telemetry(4000, 6000, 0.01, -1);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        DemoSummary s = new DemoRun(stack, new DemoRun.Options(source, ModelKind.AE, 5000, 6, 3, dir, Optional.of(40), -1),
                new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("ALERT").contains("expected");
        assertThat(s.records()).isEqualTo(6000);
        assertThat(s.deadLettered()).isEqualTo(6);
        assertThat(s.recall()).isGreaterThanOrEqualTo(0.8);
        assertThat(s.precision()).isGreaterThan(0.4);
        assertThat(s.f1()).isGreaterThan(0.5);
        assertThat(s.throughputRps()).isPositive();
        assertThat(s.latencyP50Ms()).isPositive().isLessThanOrEqualTo(s.latencyP99Ms());
        assertThat(s.latency().brokerToScored().count()).isEqualTo(s.alerts());
        assertThat(s.latency().total().p50()).isGreaterThanOrEqualTo(s.latency().brokerToScored().p50());
        assertThat(printed).contains("Warming up the detector").contains("stream thread: commit every");
        assertThat(s.modelVersions()).isEqualTo(List.of(1));
        assertThat(Path.of(s.reportPath())).exists();
        assertThat(Files.readString(Path.of(s.reportPath()))).contains("demo-model");
    }
}
