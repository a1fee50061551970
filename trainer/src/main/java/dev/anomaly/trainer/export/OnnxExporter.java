package dev.anomaly.trainer.export;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.schemas.model.OnnxScoringModel;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.ReferenceScorer;
import onnx.Onnx;

import java.util.Map;

/**
 * Writes a trained network as one self-contained ONNX model (IR version 8, opset 17, batch dimension symbolic) that
 * computes, from raw features, exactly what {@link ReferenceScorer} defines: normalisation, the network, the score,
 * per-feature contributions and expected values. Outputs: {@code score [N]}, {@code expected [N, F]},
 * {@code contribution [N, F]}, {@code latent [N, k]} and {@code latent_score [N]} (the latent term of the score). The model's
 * {@link ModelMetadata} goes into {@code metadata_props}.
 */
public final class OnnxExporter {
    public static final long IR_VERSION = 8;
    public static final long OPSET = 17;
    public static final String LATENT = "latent";
    public static final String LATENT_SCORE = "latent_score";

    private OnnxExporter() {
    }

    public static byte[] export(NetworkWeights net, ModelMetadata metadata) {
        int f = net.width();
        if (metadata.featureSpec().width() != f) {
            throw new IllegalArgumentException("feature spec has " + metadata.featureSpec().width() + " columns, network " + f);
        }
        OnnxGraph g = new OnnxGraph("anomaly_" + net.kind().name().toLowerCase());
        String center = g.floats("norm.center", net.normalizer().center(), f);
        String invScale = g.floats("norm.inv_scale", net.normalizer().inverseScale(), f);
        String scale = g.floats("norm.scale", net.normalizer().scale(), f);
        String z = g.node("Mul", "z", Map.of(), g.node("Sub", OnnxScoringModel.INPUT, center), invScale);

        String h = z;
        for (int i = 0; i < net.encoder().size(); i++) {
            h = dense(g, "enc" + i, net.encoder().get(i), h, null);
        }
        String latent = dense(g, "code", net.code(), h, LATENT);
        String d = latent;
        for (int i = 0; i < net.decoder().size(); i++) {
            d = dense(g, "dec" + i, net.decoder().get(i), d, null);
        }
        String out = dense(g, "out", net.output(), d, null);
        String axis1 = g.longs("axes_1", 1);
        String half = net.kind() == ModelKind.VAE ? g.floats("half", new float[]{0.5f}, 1) : null;

        // Per-feature reconstruction term e [N, F] and the mean of p(x|z).
        String mean;
        String e;
        if (net.kind() == ModelKind.AE) {
            mean = out;
            String diff = g.node("Sub", z, mean);
            e = g.node("Mul", g.node("Mul", diff, diff), g.floats("reconstruction_weight", new float[]{net.reconstructionWeight() / f}, 1));
        } else {
            mean = g.node("Slice", out, g.longs("slice_mean_start", 0), g.longs("slice_mean_end", f), axis1);
            String logVar = g.node("Slice", out, g.longs("slice_var_start", f), g.longs("slice_var_end", 2L * f), axis1);
            String diff = g.node("Sub", z, mean);
            String sq = g.node("Mul", diff, diff);
            String invVar = g.node("Exp", g.node("Neg", logVar));
            String sum = g.node("Add", g.node("Add", g.node("Mul", sq, invVar), logVar),
                    g.floats("log_2pi", new float[]{(float) ReferenceScorer.LOG_2PI}, 1));
            e = g.node("Mul", sum, half);
        }

        // Latent term L [N, 1]: AE, whitened squared distance of the code; VAE, KL(q(z|x) || N(0, I)).
        String latentTerm;
        if (net.kind() == ModelKind.AE) {
            String u = g.node("Mul", g.node("Sub", latent, g.floats("latent.center", net.latentCenter(), net.latent())),
                    g.floats("latent.inv_scale", net.latentInvScale(), net.latent()));
            latentTerm = g.node("Mul", g.node("ReduceSum", null, Map.of("keepdims", 1L), g.node("Mul", u, u), axis1),
                    g.floats("inv_latent", new float[]{1f / net.latent()}, 1));
        } else {
            String lv = dense(g, "code_logvar", net.codeLogVar(), h, null);
            String klTerms = g.node("Sub", g.node("Sub", g.node("Add", g.node("Mul", latent, latent), g.node("Exp", lv)),
                    g.floats("one", new float[]{1f}, 1)), lv);
            latentTerm = g.node("Mul", g.node("ReduceSum", null, Map.of("keepdims", 1L), klTerms, axis1), half);
        }
        g.node("Squeeze", LATENT_SCORE, Map.of(), latentTerm, axis1);

        // contribution = e + z^2 * (L / (sum z^2 + eps)) (the division per row, not per cell); score = sum(e) + L.
        String zsq = g.node("Mul", z, z);
        String perShare = g.node("Div", latentTerm, g.node("Add", g.node("ReduceSum", null, Map.of("keepdims", 1L), zsq, axis1),
                g.floats("share_eps", new float[]{(float) ReferenceScorer.SHARE_EPSILON}, 1)));
        String contribution = g.node("Add", OnnxScoringModel.CONTRIBUTION, Map.of(), e, g.node("Mul", zsq, perShare));
        String reconstruction = g.node("ReduceSum", null, Map.of("keepdims", 1L), e, axis1);
        String scoreColumn = g.node("Add", reconstruction, latentTerm);
        g.node("Squeeze", OnnxScoringModel.SCORE, Map.of(), scoreColumn, axis1);
        g.node("Add", OnnxScoringModel.EXPECTED, Map.of(), g.node("Mul", mean, scale), center);

        Onnx.GraphProto.Builder graph = g.proto();
        graph.addInput(OnnxGraph.floatTensor(OnnxScoringModel.INPUT, f));
        graph.addOutput(OnnxGraph.floatTensor(OnnxScoringModel.SCORE));
        graph.addOutput(OnnxGraph.floatTensor(OnnxScoringModel.EXPECTED, f));
        graph.addOutput(OnnxGraph.floatTensor(OnnxScoringModel.CONTRIBUTION, f));
        graph.addOutput(OnnxGraph.floatTensor(LATENT, net.latent()));
        graph.addOutput(OnnxGraph.floatTensor(LATENT_SCORE));
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("anomaly-trainer")
                .setProducerVersion(String.valueOf(OnnxExporter.class.getPackage().getImplementationVersion()))
                .setDomain("dev.anomaly")
                .setModelVersion(metadata.version())
                .setDocString("Anomaly scoring model " + metadata.modelId() + " v" + metadata.version() + " (" + net.kind() + ")")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph);
        metadata.toProperties().forEach((k, v) ->
                model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build().toByteArray();
    }

    /**
     * ELU as max(x, 0) + (exp(min(x, 0)) - 1): ONNX Runtime's own Elu (alone or fused into the Gemm) evaluates exp
     * element by element, several times slower than its vectorised Exp, Min and Relu on the batch sizes the
     * detector scores. For x > 0 the second term is exactly 0, so the value matches Elu.
     */
    private static String elu(OnnxGraph g, String x, String output) {
        String negative = g.node("Sub", g.node("Exp", g.node("Min", x, g.floats(x + ".elu_zero", new float[]{0f}, 1))),
                g.floats(x + ".elu_one", new float[]{1f}, 1));
        return g.node("Add", output, Map.of(), g.node("Relu", x), negative);
    }

    private static String dense(OnnxGraph g, String name, DenseWeights layer, String input, String output) {
        String w = g.floats(name + ".W", layer.weights(), layer.in(), layer.out());
        String b = g.floats(name + ".b", layer.bias(), layer.out());
        Activation act = layer.activation();
        String pre = g.node("Gemm", act == Activation.IDENTITY ? output : null, Map.of(), input, w, b);
        return switch (act) {
            case IDENTITY -> pre;
            case RELU -> g.node("Relu", output, Map.of(), pre);
            case LEAKYRELU -> g.node("LeakyRelu", output, Map.of("alpha", Activation.LEAKY_ALPHA), pre);
            case ELU -> elu(g, pre, output);
            case TANH -> g.node("Tanh", output, Map.of(), pre);
            case SIGMOID -> g.node("Sigmoid", output, Map.of(), pre);
        };
    }
}
