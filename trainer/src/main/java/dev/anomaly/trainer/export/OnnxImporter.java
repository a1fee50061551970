package dev.anomaly.trainer.export;

import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;
import onnx.Onnx;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads back what {@link OnnxExporter} wrote: the metadata and the network's weights from the graph's named
 * initializers, so that a model file can be used as a network again (a VAE's decoder for sampling). Exporting the
 * result gives a model that scores like the file ({@code OnnxImporterTest}).
 */
public final class OnnxImporter {
    private OnnxImporter() {
    }

    /** A model file as metadata and weights. */
    public record Imported(ModelMetadata metadata, NetworkWeights network) {
    }

    public static Imported read(byte[] onnx) {
        Onnx.ModelProto model;
        try {
            model = Onnx.ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException("not an ONNX model: " + e.getMessage(), e);
        }
        Map<String, String> props = new HashMap<>();
        model.getMetadataPropsList().forEach(p -> props.put(p.getKey(), p.getValue()));
        ModelMetadata metadata = ModelMetadata.fromProperties(props);
        Map<String, Onnx.TensorProto> tensors = new HashMap<>();
        model.getGraph().getInitializerList().forEach(t -> tensors.put(t.getName(), t));
        ModelFamily family = ModelFamilies.fromMetadata(metadata.kind(), metadata.hyperParameters());
        String act = metadata.hyperParameters().get("activation");
        if (act == null) {
            throw new ModelException("model " + metadata.modelId() + " does not name its hidden activation");
        }
        Activation activation = Activation.valueOf(act.toUpperCase(Locale.ROOT));

        float[] center = floats(tensors, "norm.center");
        float[] scale = floats(tensors, "norm.scale");
        List<DenseWeights> encoder = layers(tensors, "enc", activation);
        List<DenseWeights> decoder = layers(tensors, "dec", activation);
        DenseWeights code = dense(tensors, "code", Activation.IDENTITY);
        DenseWeights logVar = family.hasLatentLogVariance() ? dense(tensors, "code_logvar", Activation.IDENTITY) : null;
        DenseWeights out = dense(tensors, "out", Activation.IDENTITY);
        int k = code.out();
        float[] latentCenter = tensors.containsKey("latent.center") ? floats(tensors, "latent.center") : new float[k];
        float[] latentInvScale = tensors.containsKey("latent.inv_scale") ? floats(tensors, "latent.inv_scale") : ones(k);
        // The graph holds w / F (the per-feature share of the reconstruction term).
        float reconstructionWeight = tensors.containsKey("reconstruction_weight")
                ? floats(tensors, "reconstruction_weight")[0] * center.length : 1f;
        float[] codebook = tensors.containsKey("codebook") ? floats(tensors, "codebook") : new float[0];
        NetworkWeights network = new NetworkWeights(family, new Normalizer(center, scale), encoder, code, logVar, decoder, out,
                latentCenter, latentInvScale, reconstructionWeight, codebook);
        return new Imported(metadata, network);
    }

    private static List<DenseWeights> layers(Map<String, Onnx.TensorProto> tensors, String prefix, Activation activation) {
        List<DenseWeights> out = new ArrayList<>();
        for (int i = 0; tensors.containsKey(prefix + i + ".W"); i++) {
            out.add(dense(tensors, prefix + i, activation));
        }
        return out;
    }

    private static DenseWeights dense(Map<String, Onnx.TensorProto> tensors, String name, Activation activation) {
        Onnx.TensorProto w = tensor(tensors, name + ".W");
        if (w.getDimsCount() != 2) {
            throw new ModelException("layer " + name + " is not a matrix");
        }
        return new DenseWeights((int) w.getDims(0), (int) w.getDims(1), floats(tensors, name + ".W"), floats(tensors, name + ".b"), activation);
    }

    private static Onnx.TensorProto tensor(Map<String, Onnx.TensorProto> tensors, String name) {
        Onnx.TensorProto t = tensors.get(name);
        if (t == null) {
            throw new ModelException("the model has no tensor " + name + " (not written by this project's exporter?)");
        }
        return t;
    }

    private static float[] floats(Map<String, Onnx.TensorProto> tensors, String name) {
        Onnx.TensorProto t = tensor(tensors, name);
        if (t.getDataType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            throw new ModelException("tensor " + name + " is not float32");
        }
        if (!t.getRawData().isEmpty()) {
            ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[buf.remaining() / 4];
            buf.asFloatBuffer().get(out);
            return out;
        }
        float[] out = new float[t.getFloatDataCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getFloatData(i);
        }
        return out;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
