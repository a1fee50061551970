package dev.anomaly.scoring.onnx;

import dev.anomaly.scoring.onnx.ProtoWire.Field;

import java.io.ByteArrayOutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.anomaly.scoring.onnx.ProtoWire.LENGTH_DELIMITED;
import static dev.anomaly.scoring.onnx.ProtoWire.fields;
import static dev.anomaly.scoring.onnx.ProtoWire.name;
import static dev.anomaly.scoring.onnx.ProtoWire.string;
import static dev.anomaly.scoring.onnx.ProtoWire.writeVarint;

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
}
