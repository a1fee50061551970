package dev.anomaly.scoring.onnx;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pruner on hand-encoded models (protobuf wire format, field numbers of onnx.proto): it keeps what the output
 * depends on and drops the rest. Parity of a pruned real model with the full one is checked where models are trained
 * ({@code DeterminismTest}) and at every model load.
 */
class OnnxPruningTest {
    @Test
    void shouldKeepOnlyTheNodesInitializersAndOutputTheScoreNeeds() {
        byte[] graph = concat(
                field(1, node("features", "centred", "sub")),          // needed: score <- scaled <- centred
                field(1, node("centred", "scaled", "mul")),
                field(1, node("features", "explanation", "explain")), // not needed
                field(1, concat(node("scaled", "score", "reduce"), field(1, str("score_weight")))),
                field(2, str("g")),
                field(5, tensor("explain_weight")),
                field(5, tensor("score_weight")),
                field(11, valueInfo("features")),
                field(12, valueInfo("score")),
                field(12, valueInfo("explanation")),
                field(13, valueInfo("scaled")),
                field(13, valueInfo("explanation_tmp")));
        graph = concat(graph, field(1, node("scaled", "dangling", "noop"))); // after the output, feeds nothing needed
        byte[] model = concat(varintField(1, 8), field(7, graph), field(14, str("opset")));

        String pruned = new String(OnnxPruning.keepOnly(model, "score"), StandardCharsets.ISO_8859_1);

        assertThat(pruned).contains("sub", "mul", "reduce", "features", "scaled", "g", "opset");
        assertThat(pruned).doesNotContain("explain", "dangling", "noop"); // nodes, initializer, output, value info
        assertThat(count(pruned, "score_weight")).isEqualTo(2); // the initializer and the input that reads it
        assertThat(count(pruned, "scaled")).isEqualTo(3); // two nodes' output / input and its value info
    }

    @Test
    void shouldRefuseAModelWithoutThatOutput() {
        byte[] model = field(7, concat(field(1, node("features", "other", "op")), field(12, valueInfo("other"))));
        assertThatThrownBy(() -> OnnxPruning.keepOnly(model, "score"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no output 'score'");
    }

    @Test
    void shouldRefuseTruncatedBytes() {
        byte[] model = field(7, field(1, node("features", "score", "op")));
        byte[] truncated = java.util.Arrays.copyOf(model, model.length - 3);
        assertThatThrownBy(() -> OnnxPruning.keepOnly(truncated, "score")).isInstanceOf(IllegalArgumentException.class);
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static byte[] node(String input, String output, String opType) {
        return concat(field(1, str(input)), field(2, str(output)), field(4, str(opType)));
    }

    private static byte[] tensor(String name) {
        return concat(varintField(1, 4), varintField(2, 1), field(8, str(name)), field(9, new byte[16]));
    }

    private static byte[] valueInfo(String name) {
        return field(1, str(name));
    }

    private static byte[] str(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] field(int number, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3 | 2);
        varint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] varintField(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3);
        varint(out, value);
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
