package dev.anomaly.scoring.onnx;

import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.ProtoWire.Field;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model that reads files, runs custom operators or defines functions is refused before ONNX Runtime sees it. */
class OnnxContentCheckTest {
    private static final Path AE = Path.of("src/test/resources/frozen/0.1.0-d1e4487/ae.onnx");

    @Test
    void shouldAcceptOurOwnExport() throws IOException {
        assertThat(OnnxContentCheck.problems(Files.readAllBytes(AE))).isEmpty();
    }

    @Test
    void shouldRefuseATensorWithExternalData() throws IOException {
        byte[] tensor = concat(bytesField(8, "stolen"), bytesField(13, concat(bytesField(1, "location"), bytesField(2, "/etc/passwd"))),
                varintField(14, 1));
        byte[] model = withGraphField(Files.readAllBytes(AE), bytesField(5, tensor));

        assertThat(OnnxContentCheck.problems(model)).containsExactly("tensor 'stolen' keeps its data in an external file, which is not accepted");
        assertThatThrownBy(() -> OnnxScoringModel.load(model, ScoringOptions.cpu())).isInstanceOf(ModelException.class)
                .hasMessage("Model refused: tensor 'stolen' keeps its data in an external file, which is not accepted");
    }

    @Test
    void shouldRefuseATensorMarkedExternalWithoutItsLocation() throws IOException {
        byte[] model = withGraphField(Files.readAllBytes(AE), bytesField(5, concat(bytesField(8, "w"), varintField(14, 1))));

        assertThat(OnnxContentCheck.problems(model)).containsExactly("tensor 'w' keeps its data in an external file, which is not accepted");
    }

    @Test
    void shouldRefuseAnOperatorFromACustomDomain() throws IOException {
        byte[] node = concat(bytesField(1, "x"), bytesField(2, "y"), bytesField(4, "Exec"), bytesField(7, "com.evil"));
        byte[] model = withGraphField(Files.readAllBytes(AE), bytesField(1, node));

        assertThat(OnnxContentCheck.problems(model)).containsExactly("operators from non-standard domains [com.evil] are not accepted");
    }

    @Test
    void shouldRefuseAnImportedCustomOperatorSetAndLocalFunctions() throws IOException {
        byte[] model = concat(Files.readAllBytes(AE), bytesField(8, concat(bytesField(1, "com.evil"), varintField(2, 1))),
                bytesField(25, bytesField(1, "f")));

        assertThat(OnnxContentCheck.problems(model)).containsExactly("operators from non-standard domains [com.evil] are not accepted",
                "model-local functions are not accepted");
    }

    @Test
    void shouldFindExternalDataInsideASubgraph() throws IOException {
        byte[] inner = bytesField(5, concat(bytesField(8, "deep"), varintField(14, 1)));
        byte[] node = concat(bytesField(4, "If"), bytesField(5, concat(bytesField(1, "then_branch"), bytesField(6, inner))));
        byte[] model = withGraphField(Files.readAllBytes(AE), bytesField(1, node));

        assertThat(OnnxContentCheck.problems(model)).containsExactly("tensor 'deep' keeps its data in an external file, which is not accepted");
    }

    /** The model with {@code field} appended to its graph. */
    private static byte[] withGraphField(byte[] model, byte[] field) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Field f : ProtoWire.fields(model, 0, model.length)) {
            if (f.isBytes(7)) {
                byte[] graph = concat(java.util.Arrays.copyOfRange(model, f.valueStart(), f.valueEnd()), field);
                out.writeBytes(bytesField(7, graph));
            } else {
                out.write(model, f.start(), f.end() - f.start());
            }
        }
        return out.toByteArray();
    }

    private static byte[] bytesField(int number, String value) {
        return bytesField(number, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytesField(int number, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoWire.writeVarint(out, (long) number << 3 | ProtoWire.LENGTH_DELIMITED);
        ProtoWire.writeVarint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] varintField(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProtoWire.writeVarint(out, (long) number << 3);
        ProtoWire.writeVarint(out, value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
