package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.detector.TestModels;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.AlertEpisode;
import dev.anomaly.schemas.avro.EpisodeState;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pump that misbehaves for three minutes raises 1,000 alerts and one incident: the episodes topic holds one OPEN,
 * updates at 2, 4, ..., 512 alerts and one CLOSED with all 1,000 and the peak score — read_committed, across a restart
 * of the detector in the middle onto an empty state directory (the open episode comes back from its changelog).
 */
@ExtendWith(SharedLocalStack.class)
class AlertEpisodesIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    @Test
    void shouldMakeOneEpisodeOfAThousandAlertsAcrossARestart(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "episode-telemetry";
        DetectorFixtures.createTopics(stack, input, "episode");
        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "episode-detector", input, "episode", dir.resolve("state-1"));
        DetectorFixtures.startFrom(raw, dir.resolve("centre.onnx"), TestModels.centreModel("pumps", 1, 5.0));
        raw.put("detector.episodes.gap.ms", "60000");
        raw.put("commit.interval.ms", "100");
        double peak = 0;
        for (int i = 0; i < 1000; i++) {
            peak = Math.max(peak, TestModels.expectedScore(1500, 40, hot(i), 2.6, 3.7, 60));
        }

        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            send(stack, input, 0, 500);
            await().atMost(Duration.ofMinutes(1)).until(() -> DetectorFixtures.readAll(stack, "episode-alerts").size() >= 500);
        }
        raw.put("state.dir", dir.resolve("state-2").toString()); // a new instance: the episode must come back from the changelog
        try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
            send(stack, input, 500, 1000);
            // A normal reading of the same pump 61 s after the last alert moves its task's stream time past the gap.
            send(stack, input, MachineTelemetry.newBuilder(reading(0)).setTemperatureC(75).build(), T0.plusMillis(999 * 180L + 61_000));
            await().atMost(Duration.ofMinutes(1)).until(() -> episodes(stack).stream().anyMatch(e -> e.getState() == EpisodeState.CLOSED));
        }

        List<AlertEpisode> episodes = episodes(stack);
        episodes.forEach(e -> System.out.printf("%s %s alerts %d peak %.3f%n", e.getState(), e.getEpisodeId(), e.getAlerts(), e.getPeakScore()));
        assertThat(DetectorFixtures.readAll(stack, "episode-alerts")).hasSize(1000);
        assertThat(episodes).extracting(e -> e.getState() + " " + e.getAlerts()).containsExactly("OPEN 1", "UPDATE 2", "UPDATE 4",
                "UPDATE 8", "UPDATE 16", "UPDATE 32", "UPDATE 64", "UPDATE 128", "UPDATE 256", "UPDATE 512", "CLOSED 1000");
        assertThat(episodes).extracting(AlertEpisode::getEpisodeId).containsOnly(episodes.get(0).getEpisodeId());
        AlertEpisode closed = episodes.get(episodes.size() - 1);
        assertThat(closed.getPeakScore()).isCloseTo(peak, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(closed.getCloseReason()).isEqualTo("quiet");
        assertThat(closed.getFirstAlertTime()).isEqualTo(T0);
        assertThat(closed.getLastAlertTime()).isEqualTo(T0.plusMillis(999 * 180L));
    }

    /** Temperature of reading i: 12 to 22 standard deviations above normal, varying so that one reading is the peak. */
    private static double hot(int i) {
        return 75 + 5 * (12 + (i * 7919 % 101) / 10.0);
    }

    private static MachineTelemetry reading(int i) {
        return MachineTelemetry.newBuilder().setMachineId("pump-7").setTimestamp(T0.plusMillis(i * 180L)).setMode("NORMAL").setRpm(1500)
                .setPowerKw(40).setTemperatureC(hot(i)).setVibrationMm(2.6).setPressureBar(3.7).setFlowM3h(60).setValveOpen(false).build();
    }

    /** Readings from..to-1 of pump-7, one every 180 ms of event time (1,000 in three minutes). */
    private static void send(LocalStack stack, String topic, int from, int to) {
        SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
        serde.configure(stack.clientConfig(), false);
        try (KafkaProducer<byte[], byte[]> producer = DetectorFixtures.producer(stack)) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, null, T0.plusMillis(i * 180L).toEpochMilli(),
                        "pump-7".getBytes(StandardCharsets.UTF_8), serde.serializer().serialize(topic, reading(i))));
            }
        }
    }

    private static void send(LocalStack stack, String topic, MachineTelemetry reading, Instant at) {
        SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
        serde.configure(stack.clientConfig(), false);
        try (KafkaProducer<byte[], byte[]> producer = DetectorFixtures.producer(stack)) {
            producer.send(new ProducerRecord<>(topic, null, at.toEpochMilli(), "pump-7".getBytes(StandardCharsets.UTF_8),
                    serde.serializer().serialize(topic, reading)));
        }
    }

    private static List<AlertEpisode> episodes(LocalStack stack) {
        SpecificAvroSerde<AlertEpisode> serde = new SpecificAvroSerde<>(AlertEpisode.class);
        serde.configure(stack.clientConfig(), false);
        return DetectorFixtures.readAll(stack, "episode-episodes").stream()
                .map(r -> serde.deserializer().deserialize("episode-episodes", r.value())).toList();
    }
}
