package dev.anomaly.scoring.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Cuts an ONNX model down to what one output needs: the nodes it depends on, the initializers they read, and that
 * output alone. Reads and writes the protobuf wire format directly (the few fields involved), so that the detector
 * needs no ONNX or protobuf library; every other field is copied byte for byte.
 */
final class OnnxPruning {
    // Field numbers from onnx.proto: ModelProto.graph; GraphProto.node/initializer/output/value_info;
    // NodeProto.input/output; TensorProto.name; ValueInfoProto.name.
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_OUTPUT = 12;
    private static final int GRAPH_VALUE_INFO = 13;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int TENSOR_NAME = 8;
    private static final int VALUE_INFO_NAME = 1;
    private static final int LENGTH_DELIMITED = 2;

    private OnnxPruning() {
    }

    /**
     * @return the model computing only {@code output}
     * @throws IllegalArgumentException if the bytes are not a model with that graph output
     */
    static byte[] keepOnly(byte[] model, String output) {
        List<Field> top = fields(model, 0, model.length);
        Field graph = top.stream().filter(f -> f.isBytes(MODEL_GRAPH)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no graph in the model"));
        byte[] pruned = pruneGraph(model, graph, output);
        ByteArrayOutputStream out = new ByteArrayOutputStream(model.length);
        for (Field f : top) {
            if (f == graph) {
                writeVarint(out, (long) MODEL_GRAPH << 3 | LENGTH_DELIMITED);
                writeVarint(out, pruned.length);
                out.writeBytes(pruned);
            } else {
                out.write(model, f.start(), f.end() - f.start());
            }
        }
        return out.toByteArray();
    }

    private static byte[] pruneGraph(byte[] b, Field graph, String output) {
        List<Field> fields = fields(b, graph.valueStart(), graph.valueEnd());
        if (fields.stream().noneMatch(f -> f.isBytes(GRAPH_OUTPUT) && output.equals(name(b, f, VALUE_INFO_NAME)))) {
            throw new IllegalArgumentException("the graph has no output '" + output + "'");
        }
        // Nodes are stored in topological order: walking back from the output finds everything it depends on.
        Set<String> needed = new HashSet<>(Set.of(output));
        Set<Field> keptNodes = new HashSet<>();
        for (int i = fields.size() - 1; i >= 0; i--) {
            Field f = fields.get(i);
            if (!f.isBytes(GRAPH_NODE)) {
                continue;
            }
            List<Field> node = fields(b, f.valueStart(), f.valueEnd());
            if (node.stream().anyMatch(n -> n.isBytes(NODE_OUTPUT) && needed.contains(string(b, n)))) {
                keptNodes.add(f);
                node.stream().filter(n -> n.isBytes(NODE_INPUT)).forEach(n -> needed.add(string(b, n)));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(graph.valueEnd() - graph.valueStart());
        for (Field f : fields) {
            boolean keep = f.wireType() != LENGTH_DELIMITED || switch (f.number()) {
                case GRAPH_NODE -> keptNodes.contains(f);
                case GRAPH_INITIALIZER -> needed.contains(name(b, f, TENSOR_NAME));
                case GRAPH_OUTPUT -> output.equals(name(b, f, VALUE_INFO_NAME));
                case GRAPH_VALUE_INFO -> needed.contains(name(b, f, VALUE_INFO_NAME));
                default -> true;
            };
            if (keep) {
                out.write(b, f.start(), f.end() - f.start());
            }
        }
        return out.toByteArray();
    }

    /** One field of a message: its bytes are {@code [start, end)}, its value (length-delimited) {@code [valueStart, valueEnd)}. */
    private record Field(int number, int wireType, int start, int end, int valueStart, int valueEnd) {
        boolean isBytes(int field) {
            return number == field && wireType == LENGTH_DELIMITED;
        }
    }

    private static List<Field> fields(byte[] b, int from, int to) {
        List<Field> out = new ArrayList<>();
        int[] pos = {from};
        while (pos[0] < to) {
            int start = pos[0];
            long key = readVarint(b, pos, to);
            int wireType = (int) (key & 7);
            int valueStart;
            switch (wireType) {
                case 0 -> {
                    readVarint(b, pos, to);
                    valueStart = start;
                }
                case 1 -> {
                    valueStart = pos[0];
                    pos[0] += 8;
                }
                case LENGTH_DELIMITED -> {
                    long length = readVarint(b, pos, to);
                    valueStart = pos[0];
                    if (length < 0 || length > to - valueStart) {
                        throw new IllegalArgumentException("truncated field at byte " + start);
                    }
                    pos[0] += (int) length;
                }
                case 5 -> {
                    valueStart = pos[0];
                    pos[0] += 4;
                }
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " at byte " + start);
            }
            if (pos[0] > to) {
                throw new IllegalArgumentException("truncated field at byte " + start);
            }
            out.add(new Field((int) (key >>> 3), wireType, start, pos[0], valueStart, pos[0]));
        }
        return out;
    }

    private static long readVarint(byte[] b, int[] pos, int to) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= to) {
                throw new IllegalArgumentException("truncated varint");
            }
            byte x = b[pos[0]++];
            value |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("malformed varint");
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static String string(byte[] b, Field f) {
        return new String(b, f.valueStart(), f.valueEnd() - f.valueStart(), StandardCharsets.UTF_8);
    }

    /** The string field {@code nameField} of the message in {@code f} ("" if absent). */
    private static String name(byte[] b, Field f, int nameField) {
        for (Field g : fields(b, f.valueStart(), f.valueEnd())) {
            if (g.isBytes(nameField)) {
                return string(b, g);
            }
        }
        return "";
    }
}
