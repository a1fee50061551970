package dev.anomaly.trainer.cli;

import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training is unchanged by design changes: the same data, options and seed give today the model the earlier release
 * gave (the scoring module's frozen fixture, made by that release's {@code anomaly train}; see its README).
 */
class FrozenTrainingTest {
    static final Path FROZEN = Path.of("../scoring/src/test/resources/frozen/0.1.0-d1e4487");

    @ParameterizedTest
    @CsvSource({"ae, --sparsity, 0.01, frozen-ae", "vae, --beta, 2, frozen-vae"})
    void shouldTrainTheModelTheEarlierReleaseTrainedFromTheSameOptions(String kind, String option, String value, String id,
                                                                     @TempDir Path dir) throws IOException {
        Path out = dir.resolve(kind + ".onnx");
        int exit = new CommandLine(new TrainCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(
                "--data", FROZEN.resolve("history.csv").toString(), "--label-column", "label", "--model", kind, option, value,
                "--epochs", "8", "--seed", "3", "--model-id", id, "--out", out.toString(), "--no-report", "-q");
        assertThat(exit).isZero();

        List<String> rows = Files.readAllLines(FROZEN.resolve("rows.csv"));
        List<String> frozenScores = Files.readAllLines(FROZEN.resolve(kind + ".scores.csv"));
        float[] x = new float[(rows.size() - 1) * 6];
        for (int i = 1; i < rows.size(); i++) {
            String[] cells = rows.get(i).split(",");
            for (int j = 0; j < 6; j++) {
                x[(i - 1) * 6 + j] = Float.parseFloat(cells[j]);
            }
        }
        try (OnnxScoringModel model = OnnxScoringModel.load(out, ScoringOptions.cpu());
             OnnxScoringModel frozen = OnnxScoringModel.load(FROZEN.resolve(kind + ".onnx"), ScoringOptions.cpu())) {
            ScoreBatch now = model.score(x, rows.size() - 1);
            for (int i = 1; i < frozenScores.size(); i++) {
                assertThat(now.score()[i - 1]).as("row %d", i).isEqualTo(Float.parseFloat(frozenScores.get(i).split(",")[0]));
            }
            assertThat(model.metadata().threshold()).isEqualTo(frozen.metadata().threshold());
            assertThat(model.metadata().hyperParameters()).isEqualTo(frozen.metadata().hyperParameters());
        }
    }
}
