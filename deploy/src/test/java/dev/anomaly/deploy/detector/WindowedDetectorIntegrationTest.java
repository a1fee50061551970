package dev.anomaly.deploy.detector;

import dev.anomaly.deploy.cli.AnomalyCli;
import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.deploy.stack.SharedLocalStack;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.WindowSpec;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.Windowing;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A windowed model (the last 4 readings of each machine) served by the detector in its own JVM on the real broker and
 * registry, killed with SIGKILL mid-stream and restarted on an empty state directory — as a partition moving to
 * another instance would be, its windows restored from the store's changelog. Reading committed output, every
 * reading from each machine's 4th on is scored exactly once, with exactly the score of its window computed offline
 * from the readings as sent: no window row lost, none counted twice.
 */
@ExtendWith(SharedLocalStack.class)
class WindowedDetectorIntegrationTest {
    private static final int RECORDS = 12_000;
    private static final int W = 4;

    @Test
    void shouldKeepEveryKeysWindowAcrossAKillAndARestartElsewhere(LocalStack stack, @TempDir Path dir) throws Exception {
        String input = "windows-telemetry";
        DetectorFixtures.createTopics(stack, input, "windows");
        WindowSpec window = new WindowSpec("machineId", "timestamp", W, 1);
        List<GenericRecord> history = new ArrayList<>();
        DetectorFixtures.simulator(100, 0.0).next(4000).forEach(r -> history.add(r.reading()));
        Dataset data = Windowing.windows(history, DetectorFixtures.SPEC, window, Optional.empty(), "simulated history");
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), data.width(), data.rows()).withEpochs(15);
        byte[] onnx = TrainingJob.run(data, config, "pumps-windowed", 1, ProgressListener.NONE).onnx();
        Path model = dir.resolve("pumps-windowed.onnx");
        Files.write(model, onnx);

        Map<String, String> raw = DetectorFixtures.detectorConfig(stack, "windows-detector", input, "windows", dir.resolve("state"));
        raw.put("detector.model.path", model.toString());
        raw.put("detector.batch.size", "256");
        raw.put("commit.interval.ms", "100");
        Path first = properties(dir.resolve("detector.properties"), raw);
        raw.put("state.dir", dir.resolve("state-elsewhere").toString());
        Path elsewhere = properties(dir.resolve("detector-elsewhere.properties"), raw);

        List<LabelledReading> readings = DetectorFixtures.simulator(13, 0.01).next(RECORDS);
        List<DetectorFixtures.Sent> sent = new ArrayList<>(DetectorFixtures.produce(stack, input, readings.subList(0, RECORDS / 2)));
        Process detector = start(first, Path.of("target", "windows-run1.log"));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(detector.isAlive()).as("detector died early; see deploy/target/windows-run1.log").isTrue();
            return DetectorFixtures.readAll(stack, "windows-scores").size() > 2000;
        });
        List<DetectorFixtures.Sent> second = new ArrayList<>();
        Thread producer = new Thread(() -> second.addAll(DetectorFixtures.produce(stack, input, readings.subList(RECORDS / 2, RECORDS))));
        producer.start();
        detector.destroyForcibly(); // SIGKILL
        assertThat(detector.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int scoredBeforeKill = DetectorFixtures.readAll(stack, "windows-scores").size();
        producer.join();
        sent.addAll(second);

        Map<String, Double> expected = expectedWindowScores(onnx, sent);
        Process restarted = start(elsewhere, Path.of("target", "windows-run2.log"));
        try {
            try {
                await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).until(() ->
                        DetectorFixtures.readAll(stack, "windows-scores").size() >= expected.size());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                System.out.println("timed out; the assertions below say what is missing");
            }
        } finally {
            restarted.destroy();
            restarted.waitFor(60, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<byte[], byte[]>> scores = DetectorFixtures.readAll(stack, "windows-scores");
        System.out.printf("windowed detector: killed with %d of %d windows scored; restarted on an empty state dir; %d scores%n",
                scoredBeforeKill, expected.size(), scores.size());
        assertThat(scoredBeforeKill).isLessThan(expected.size());
        Map<String, Double> actual = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : scores) {
            String at = header(r, "anomaly.source.partition") + "@" + header(r, "anomaly.source.offset");
            assertThat(actual.put(at, Double.parseDouble(new String(r.value(), StandardCharsets.UTF_8)))).as("scored twice: " + at).isNull();
        }
        java.util.Set<String> missing = new java.util.TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        System.out.println("missing windows (partition@offset): " + missing);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((at, score) -> assertThat(actual.get(at)).as(at).isCloseTo(score, org.assertj.core.data.Percentage.withPercentage(1e-3)));
        assertThat(DetectorFixtures.readAll(stack, "windows-dlq")).isEmpty();
    }

    /** Per machine, in partition order: each reading from the 4th on and the score of the window it ends. */
    private static Map<String, Double> expectedWindowScores(byte[] onnx, List<DetectorFixtures.Sent> sent) {
        Map<String, List<DetectorFixtures.Sent>> byMachine = new LinkedHashMap<>();
        sent.stream().sorted(java.util.Comparator.comparingInt(DetectorFixtures.Sent::partition).thenComparingLong(DetectorFixtures.Sent::offset))
                .forEach(s -> byMachine.computeIfAbsent(s.reading().reading().getMachineId(), k -> new ArrayList<>()).add(s));
        FeatureSpec row = DetectorFixtures.SPEC;
        int f = row.rowWidth();
        List<String> positions = new ArrayList<>();
        List<float[]> windows = new ArrayList<>();
        for (List<DetectorFixtures.Sent> series : byMachine.values()) {
            for (int end = W - 1; end < series.size(); end++) {
                float[] x = new float[W * f];
                for (int step = 0; step < W; step++) {
                    row.extractInto(series.get(end - W + 1 + step).reading().reading(), x, step * f);
                }
                windows.add(x);
                positions.add(DetectorFixtures.key(series.get(end).partition(), series.get(end).offset()));
            }
        }
        float[] all = new float[windows.size() * W * f];
        for (int i = 0; i < windows.size(); i++) {
            System.arraycopy(windows.get(i), 0, all, i * W * f, W * f);
        }
        Map<String, Double> out = new HashMap<>();
        try (OnnxScoringModel model = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            ScoreBatch batch = model.score(all, windows.size());
            for (int i = 0; i < windows.size(); i++) {
                out.put(positions.get(i), (double) batch.score()[i]);
            }
        }
        return out;
    }

    private static Path properties(Path file, Map<String, String> raw) throws IOException {
        Properties props = new Properties();
        props.putAll(raw);
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, null);
        }
        return file;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static Process start(Path config, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), AnomalyCli.class.getName(),
                "detect", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
