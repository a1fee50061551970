package dev.anomaly.scoring;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models written before the scoring module existed (see {@code frozen/.../README.md}) still load, describe themselves
 * as they did, and give the very scores they gave then.
 */
class FrozenModelsTest {
    static final Path FROZEN = Path.of("src/test/resources/frozen/0.1.0-d1e4487");

    @ParameterizedTest
    @CsvSource({"ae, AE, frozen-ae, 25.3320", "vae, VAE, frozen-vae, 17.8013"})
    void shouldLoadAndScoreAModelFromTheEarlierReleaseExactlyAsItDid(String name, ModelKind kind, String id, double threshold) throws IOException {
        Rows rows = Rows.read(FROZEN.resolve("rows.csv"), 6);
        float[] expected = expectedScores(FROZEN.resolve(name + ".scores.csv"));

        try (OnnxScoringModel model = OnnxScoringModel.load(FROZEN.resolve(name + ".onnx"), ScoringOptions.cpu())) {
            ModelMetadata m = model.metadata();
            assertThat(m.modelId()).isEqualTo(id);
            assertThat(m.kind()).isEqualTo(kind);
            assertThat(m.threshold()).isCloseTo(threshold, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(m.featureSpec().columnNames()).containsExactly(Arrays.copyOf(rows.header(), 6));
            ScoreBatch s = model.score(rows.values(), rows.count());
            assertThat(s.score()).containsExactly(expected);
        }
    }

    static float[] expectedScores(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        float[] out = new float[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            out[i - 1] = Float.parseFloat(lines.get(i).split(",")[0]);
        }
        return out;
    }

    /** The first {@code width} columns of a numeric CSV with a header. */
    record Rows(String[] header, float[] values, int count) {
        static Rows read(Path file, int width) throws IOException {
            List<String> lines = Files.readAllLines(file);
            String[] header = lines.get(0).split(",");
            float[] values = new float[(lines.size() - 1) * width];
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",");
                for (int j = 0; j < width; j++) {
                    values[(i - 1) * width + j] = Float.parseFloat(cells[j]);
                }
            }
            return new Rows(header, values, lines.size() - 1);
        }
    }
}
