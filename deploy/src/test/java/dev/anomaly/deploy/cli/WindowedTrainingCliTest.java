package dev.anomaly.deploy.cli;

import dev.anomaly.deploy.cli.TrainAndScoreCliTest.Run;
import dev.anomaly.schemas.features.WindowSpec;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.anomaly.deploy.cli.TrainAndScoreCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A windowed model from the command line: {@code anomaly train --window} on simulated telemetry (10 machines), the
 * window in its feature spec, its input columns named by time step, and {@code anomaly score} giving one score per
 * window; a CSV and a missing key are refused in one line.
 */
class WindowedTrainingCliTest {

    @Test
    void shouldTrainAndScoreAWindowedModelFromAnAvroFile(@TempDir Path dir) throws Exception {
        Path history = dir.resolve("history.avro");
        assertThat(run("simulate", "--out", history.toString(), "--records", "3000", "--seed", "3").code()).isZero();
        Path model = dir.resolve("windowed.onnx");
        Run trained = run("train", "--data", history.toString(), "--window", "5", "--window-key", "machineId",
                "--epochs", "5", "--out", model.toString(), "--no-report", "--quiet");
        assertThat(trained.code()).as(trained.err()).isZero();
        try (OnnxScoringModel m = OnnxScoringModel.load(Files.readAllBytes(model), ScoringOptions.cpu())) {
            WindowSpec window = m.metadata().featureSpec().window();
            assertThat(window).isEqualTo(new WindowSpec("machineId", "timestamp", 5, 1));
            List<String> columns = m.metadata().featureSpec().columnNames();
            assertThat(columns).contains("rpm@-4", "rpm@0").doesNotContain("machineId@0", "timestamp@0");
            assertThat(m.metadata().featureSpec().features()).noneMatch(f -> f.name().equals("machineId") || f.name().equals("timestamp"));
        }
        Path scores = dir.resolve("scores.csv");
        Run scored = run("score", "--model", model.toString(), "--data", history.toString(), "--out", scores.toString());
        assertThat(scored.code()).as(scored.err()).isZero();
        assertThat(Files.readAllLines(scores)).hasSize(1 + 3000 - 10 * 4); // a header, then a window per reading from each machine's 5th

        Run json = run("train", "--data", dir.resolve("x.json").toString(), "--window", "5", "--window-key", "machineId",
                "--out", dir.resolve("y.onnx").toString());
        assertThat(json.code()).isEqualTo(2);
        assertThat(json.err()).contains("--window needs a .csv or .avro file or --topic");
        Run noKey = run("train", "--data", history.toString(), "--window", "5", "--out", dir.resolve("z.onnx").toString());
        assertThat(noKey.code()).isEqualTo(2);
        assertThat(noKey.err()).contains("--window-key");
    }

    /** Many series in one CSV, NAB's time format: key and time columns, a label column, the rest numbers. */
    @Test
    void shouldTrainAWindowedModelOnACsvOfManySeries(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("series.csv");
        StringBuilder b = new StringBuilder("host,timestamp,cpu,latency,label\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int i = 0; i < 600; i++) {
            for (String host : List.of("a", "b", "c")) {
                String time = java.time.LocalDateTime.of(2026, 1, 1, 0, 0).plusMinutes(i).toString().replace('T', ' ') + ":00";
                double cpu = 50 + 20 * Math.sin(i / 30.0) + r.nextGaussian();
                b.append(host).append(',').append(time).append(',').append(cpu).append(',').append(cpu * 2 + r.nextGaussian())
                        .append(",0\n");
            }
        }
        Files.writeString(csv, b);
        Path model = dir.resolve("hosts.onnx");
        Run trained = run("train", "--data", csv.toString(), "--label-column", "label", "--window", "6", "--window-key", "host",
                "--window-stride", "2", "--epochs", "5", "--out", model.toString(), "--no-report", "--quiet");
        assertThat(trained.code()).as(trained.err()).isZero();
        try (OnnxScoringModel m = OnnxScoringModel.load(Files.readAllBytes(model), ScoringOptions.cpu())) {
            assertThat(m.metadata().featureSpec().window()).isEqualTo(new WindowSpec("host", "timestamp", 6, 2));
            assertThat(m.metadata().featureSpec().columnNames()).hasSize(12).startsWith("cpu@-5", "latency@-5");
        }
        Path scores = dir.resolve("scores.csv");
        assertThat(run("score", "--model", model.toString(), "--data", csv.toString(), "--label-column", "label",
                "--out", scores.toString()).code()).isZero();
        assertThat(Files.readAllLines(scores)).hasSize(1 + 3 * ((600 - 6) / 2 + 1));
    }
}
