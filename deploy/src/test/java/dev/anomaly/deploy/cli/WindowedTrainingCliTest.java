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

        Run csv = run("train", "--data", dir.resolve("x.csv").toString(), "--window", "5", "--window-key", "machineId",
                "--out", dir.resolve("y.onnx").toString());
        assertThat(csv.code()).isEqualTo(2);
        assertThat(csv.err()).contains("--window needs Avro input");
        Run noKey = run("train", "--data", history.toString(), "--window", "5", "--out", dir.resolve("z.onnx").toString());
        assertThat(noKey.code()).isEqualTo(2);
        assertThat(noKey.err()).contains("--window-key");
    }
}
