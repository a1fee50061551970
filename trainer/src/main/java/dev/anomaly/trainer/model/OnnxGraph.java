package dev.anomaly.trainer.model;

import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * A small builder over the ONNX protobuf classes that ship in nd4j-api: adds float/int64 initializers and nodes with
 * generated unique names, so the exporter and each {@link ModelFamily} read as the computation they write.
 */
public final class OnnxGraph {
    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private int counter;
    private String featureAxis;

    public OnnxGraph(String name) {
        graph.setName(name);
    }

    public Onnx.GraphProto.Builder proto() {
        return graph;
    }

    /** A float32 constant tensor (raw little-endian data). */
    public String floats(String name, float[] values, long... dims) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    /** An int64 constant vector. */
    public String longs(String name, long... values) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addDims(values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        graph.addInitializer(t);
        return name;
    }

    /** Adds a node; returns the name of its (single) output. */
    public String node(String op, String output, Map<String, Object> attributes, String... inputs) {
        String out = output == null ? op.toLowerCase() + "_" + (counter++) : output;
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(out + "_node").addOutput(out);
        for (String in : inputs) {
            n.addInput(in);
        }
        attributes.forEach((k, v) -> n.addAttribute(attribute(k, v)));
        graph.addNode(n);
        return out;
    }

    public String node(String op, String... inputs) {
        return node(op, null, Map.of(), inputs);
    }

    /** A one-element float constant, broadcast against any tensor. */
    public String scalar(String name, float value) {
        return floats(name, new float[]{value}, 1);
    }

    /** Sum over the feature axis (1), keeping it: [N, F] → [N, 1]. */
    public String rowSum(String input) {
        return node("ReduceSum", null, Map.of("keepdims", 1L), input, featureAxis());
    }

    /** The constant {@code [1]}, the feature axis, for ReduceSum, Slice and Squeeze. */
    public String featureAxis() {
        if (featureAxis == null) {
            featureAxis = longs("axes_1", 1);
        }
        return featureAxis;
    }

    /** A dense layer {@code activation(input · W + b)}; {@code output} names its result, or null for a generated name. */
    public String dense(String name, DenseWeights layer, String input, String output) {
        String w = floats(name + ".W", layer.weights(), layer.in(), layer.out());
        String b = floats(name + ".b", layer.bias(), layer.out());
        Activation act = layer.activation();
        String pre = node("Gemm", act == Activation.IDENTITY ? output : null, Map.of(), input, w, b);
        return switch (act) {
            case IDENTITY -> pre;
            case RELU -> node("Relu", output, Map.of(), pre);
            case LEAKYRELU -> node("LeakyRelu", output, Map.of("alpha", Activation.LEAKY_ALPHA), pre);
            case ELU -> elu(pre, output);
            case TANH -> node("Tanh", output, Map.of(), pre);
            case SIGMOID -> node("Sigmoid", output, Map.of(), pre);
        };
    }

    /**
     * ELU as max(x, 0) + (exp(min(x, 0)) - 1): ONNX Runtime's own Elu (alone or fused into the Gemm) evaluates exp
     * element by element, several times slower than its vectorised Exp, Min and Relu on the batch sizes the
     * detector scores. For x > 0 the second term is exactly 0, so the value matches Elu.
     */
    private String elu(String x, String output) {
        String negative = node("Sub", node("Exp", node("Min", x, floats(x + ".elu_zero", new float[]{0f}, 1))),
                floats(x + ".elu_one", new float[]{1f}, 1));
        return node("Add", output, Map.of(), node("Relu", x), negative);
    }

    private static Onnx.AttributeProto attribute(String name, Object value) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name);
        if (value instanceof Float f) {
            a.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (value instanceof Integer i) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(i);
        } else if (value instanceof Long l) {
            a.setType(Onnx.AttributeProto.AttributeType.INT).setI(l);
        } else {
            throw new IllegalArgumentException("unsupported attribute " + name + "=" + value);
        }
        return a.build();
    }

    /** Declares a float tensor graph input or output with a symbolic batch dimension "N" and fixed other dims. */
    public static Onnx.ValueInfoProto floatTensor(String name, long... fixedDims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder()
                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : fixedDims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                        .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }
}
