package dev.anomaly.scoring.onnx;

import dev.anomaly.scoring.onnx.ProtoWire.Field;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.anomaly.scoring.onnx.ProtoWire.fields;
import static dev.anomaly.scoring.onnx.ProtoWire.readVarint;
import static dev.anomaly.scoring.onnx.ProtoWire.string;

/**
 * What a model file may not contain, checked before ONNX Runtime sees it: tensors whose data lives in external files
 * (ONNX Runtime would read paths named by the model from the detector's disk), operators outside the standard domains
 * (custom operators are native code the model asks to run), and model-local functions. Our exporter writes none of
 * these; a model that has them did not come from it.
 */
final class OnnxContentCheck {
    /** The standard operator sets: ONNX's own (named "" or "ai.onnx") and ONNX-ML. */
    static final Set<String> STANDARD_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml");
    private static final int MAX_GRAPH_DEPTH = 16;
    // Field numbers from onnx.proto.
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_FUNCTIONS = 25;
    private static final int OPSET_DOMAIN = 1;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_SPARSE_INITIALIZER = 15;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int NODE_DOMAIN = 7;
    private static final int ATTRIBUTE_TENSOR = 5;
    private static final int ATTRIBUTE_GRAPH = 6;
    private static final int ATTRIBUTE_TENSORS = 10;
    private static final int ATTRIBUTE_GRAPHS = 11;
    private static final int ATTRIBUTE_SPARSE_TENSOR = 22;
    private static final int ATTRIBUTE_SPARSE_TENSORS = 23;
    private static final int SPARSE_VALUES = 1;
    private static final int SPARSE_INDICES = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int DATA_LOCATION_EXTERNAL = 1;

    private OnnxContentCheck() {
    }

    /** Why the model may not be loaded (empty when it may); a file that is not protobuf at all is left to ONNX Runtime. */
    static List<String> problems(byte[] model) {
        List<String> problems = new ArrayList<>();
        Set<String> domains = new TreeSet<>();
        try {
            for (Field f : fields(model, 0, model.length)) {
                if (f.isBytes(MODEL_OPSET_IMPORT)) {
                    for (Field g : fields(model, f.valueStart(), f.valueEnd())) {
                        if (g.isBytes(OPSET_DOMAIN)) {
                            domains.add(string(model, g));
                        }
                    }
                } else if (f.isBytes(MODEL_FUNCTIONS)) {
                    problems.add("model-local functions are not accepted");
                } else if (f.isBytes(MODEL_GRAPH)) {
                    graph(model, f, 0, problems, domains);
                }
            }
        } catch (IllegalArgumentException e) {
            return List.of(); // not a protobuf message: ONNX Runtime says what is wrong
        }
        domains.removeAll(STANDARD_DOMAINS);
        if (!domains.isEmpty()) {
            problems.add(0, "operators from non-standard domains " + domains + " are not accepted");
        }
        return problems.stream().distinct().limit(5).toList();
    }

    private static void graph(byte[] b, Field graph, int depth, List<String> problems, Set<String> domains) {
        if (depth > MAX_GRAPH_DEPTH) {
            problems.add("subgraphs nested deeper than " + MAX_GRAPH_DEPTH);
            return;
        }
        for (Field f : fields(b, graph.valueStart(), graph.valueEnd())) {
            if (f.isBytes(GRAPH_INITIALIZER)) {
                tensor(b, f, problems);
            } else if (f.isBytes(GRAPH_SPARSE_INITIALIZER)) {
                sparseTensor(b, f, problems);
            } else if (f.isBytes(GRAPH_NODE)) {
                node(b, f, depth, problems, domains);
            }
        }
    }

    private static void node(byte[] b, Field node, int depth, List<String> problems, Set<String> domains) {
        String op = "";
        for (Field f : fields(b, node.valueStart(), node.valueEnd())) {
            if (f.isBytes(NODE_OP_TYPE)) {
                op = string(b, f);
            } else if (f.isBytes(NODE_DOMAIN)) {
                domains.add(string(b, f));
            } else if (f.isBytes(NODE_ATTRIBUTE)) {
                for (Field a : fields(b, f.valueStart(), f.valueEnd())) {
                    if (a.isBytes(ATTRIBUTE_TENSOR) || a.isBytes(ATTRIBUTE_TENSORS)) {
                        tensor(b, a, problems);
                    } else if (a.isBytes(ATTRIBUTE_SPARSE_TENSOR) || a.isBytes(ATTRIBUTE_SPARSE_TENSORS)) {
                        sparseTensor(b, a, problems);
                    } else if (a.isBytes(ATTRIBUTE_GRAPH) || a.isBytes(ATTRIBUTE_GRAPHS)) {
                        graph(b, a, depth + 1, problems, domains);
                    }
                }
            }
        }
        if (op.isEmpty()) {
            problems.add("a node without an operator");
        }
    }

    private static void sparseTensor(byte[] b, Field sparse, List<String> problems) {
        for (Field f : fields(b, sparse.valueStart(), sparse.valueEnd())) {
            if (f.isBytes(SPARSE_VALUES) || f.isBytes(SPARSE_INDICES)) {
                tensor(b, f, problems);
            }
        }
    }

    private static void tensor(byte[] b, Field tensor, List<String> problems) {
        String name = "";
        boolean external = false;
        for (Field f : fields(b, tensor.valueStart(), tensor.valueEnd())) {
            if (f.isBytes(TENSOR_NAME)) {
                name = string(b, f);
            } else if (f.isBytes(TENSOR_EXTERNAL_DATA)) {
                external = true;
            } else if (f.number() == TENSOR_DATA_LOCATION && f.wireType() == 0) {
                external |= readVarint(b, new int[]{f.start() + 1}, f.end()) == DATA_LOCATION_EXTERNAL;
            }
        }
        if (external) {
            problems.add("tensor '" + name + "' keeps its data in an external file, which is not accepted");
        }
    }
}
