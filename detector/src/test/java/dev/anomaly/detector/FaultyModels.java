package dev.anomaly.detector;

import dev.anomaly.scoring.onnx.OnnxScoringModel;
import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Real exported models changed by graph surgery so that they fail the way a broken release does on live data, while
 * keeping their metadata (so they load and pass the checks that do not exercise the fault). The score output gets
 * a term that is 0 on healthy inputs and a runtime error or NaN where the fault applies.
 */
public final class FaultyModels {
    private FaultyModels() {
    }

    /** Scores as {@code onnx} for batches of fewer than {@code rows} rows; ONNX Runtime fails on larger ones. */
    public static byte[] throwingFromBatchOf(byte[] onnx, int rows) {
        return withScoreTerm(onnx, g -> {
            String shape = node(g, "Shape", "fault_shape", OnnxScoringModel.INPUT);
            String n = node(g, "Gather", "fault_n", shape, floatsOrLongs(g, "fault_zero_index", new long[]{0}, true, 0));
            String zeros = floatsOrLongs(g, "fault_zeros", new float[rows], rows);
            return node(g, "Gather", "fault_term", zeros, n); // index n >= rows: out of bounds
        });
    }

    /** Fails (the whole call) on any batch holding a row whose column {@code column} exceeds {@code above}. */
    public static byte[] throwingOnRowsAbove(byte[] onnx, int column, float above) {
        return withScoreTerm(onnx, g -> {
            String value = columnOf(g, column);
            String over = node(g, "Cast", "fault_over", java.util.Map.of("to", (long) Onnx.TensorProto.DataType.INT64_VALUE),
                    node(g, "Greater", "fault_greater", value, floatsOrLongs(g, "fault_limit", new float[]{above}, 1)));
            String index = node(g, "Mul", "fault_index", over, floatsOrLongs(g, "fault_far", new long[]{1_000_000}, true, 1));
            return node(g, "Gather", "fault_term", floatsOrLongs(g, "fault_table", new float[2], 2), index);
        });
    }

    /** Scores NaN exactly for the rows whose column {@code column} exceeds {@code above}. */
    public static byte[] nanOnRowsAbove(byte[] onnx, int column, float above) {
        return withScoreTerm(onnx, g -> {
            String value = columnOf(g, column);
            String root = node(g, "Sqrt", "fault_sqrt", node(g, "Sub", "fault_room", floatsOrLongs(g, "fault_limit", new float[]{above}, 1), value));
            return node(g, "Mul", "fault_term", root, floatsOrLongs(g, "fault_nought", new float[]{0f}, 1));
        });
    }

    /** NaN for every row. */
    public static byte[] nanEverywhere(byte[] onnx) {
        return nanOnRowsAbove(onnx, 0, -Float.MAX_VALUE);
    }

    private interface Term {
        String add(Onnx.GraphProto.Builder graph);
    }

    /** Surgeries on one model get distinct names, so faults can be stacked. */
    private static final java.util.concurrent.atomic.AtomicInteger SURGERY = new java.util.concurrent.atomic.AtomicInteger();
    private static String prefix = "";

    /** Renames the node writing {@code score} and adds {@code score = score_inner + term} ([N] + [N] or a scalar). */
    private static byte[] withScoreTerm(byte[] onnx, Term term) {
        try {
            prefix = "s" + SURGERY.incrementAndGet() + "_";
            Onnx.ModelProto.Builder model = Onnx.ModelProto.parseFrom(onnx).toBuilder();
            Onnx.GraphProto.Builder g = model.getGraphBuilder();
            for (Onnx.NodeProto.Builder n : g.getNodeBuilderList()) {
                for (int i = 0; i < n.getOutputCount(); i++) {
                    if (n.getOutput(i).equals(OnnxScoringModel.SCORE)) {
                        n.setOutput(i, prefix + "score_inner");
                    }
                }
            }
            String t = term.add(g);
            g.addNode(Onnx.NodeProto.newBuilder().setOpType("Add").setName(prefix + "score_node").addOutput(OnnxScoringModel.SCORE)
                    .addInput(prefix + "score_inner").addInput(t));
            return model.build().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Column {@code column} of the raw input as an [N] tensor. */
    private static String columnOf(Onnx.GraphProto.Builder g, int column) {
        String gathered = node(g, "Gather", "fault_column", java.util.Map.of("axis", 1L), OnnxScoringModel.INPUT,
                floatsOrLongs(g, "fault_column_index", new long[]{column}, true, 0));
        return gathered;
    }

    private static String node(Onnx.GraphProto.Builder g, String op, String out, String... inputs) {
        return node(g, op, out, java.util.Map.of(), inputs);
    }

    private static String node(Onnx.GraphProto.Builder g, String op, String out, java.util.Map<String, Long> ints, String... inputs) {
        out = prefix + out;
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out + "_node").addOutput(out);
        for (String in : inputs) {
            n.addInput(in);
        }
        ints.forEach((k, v) -> n.addAttribute(Onnx.AttributeProto.newBuilder().setName(k)
                .setType(Onnx.AttributeProto.AttributeType.INT).setI(v)));
        g.addNode(n);
        return out;
    }

    private static String floatsOrLongs(Onnx.GraphProto.Builder g, String name, float[] values, long... dims) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        name = prefix + name;
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        g.addInitializer(t);
        return name;
    }

    /** An int64 constant: a scalar when {@code rank} is 0, else a vector. */
    private static String floatsOrLongs(Onnx.GraphProto.Builder g, String name, long[] values, boolean int64, int rank) {
        name = prefix + name;
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.INT64_VALUE);
        if (rank == 1) {
            t.addDims(values.length);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        g.addInitializer(t);
        return name;
    }
}
