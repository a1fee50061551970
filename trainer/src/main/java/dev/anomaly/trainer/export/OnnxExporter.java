package dev.anomaly.trainer.export;

import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.OnnxGraph;
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
            h = g.dense("enc" + i, net.encoder().get(i), h, null);
        }
        String latent = g.dense("code", net.code(), h, LATENT);
        String d = net.family().decoderInput(g, net, z, latent);
        for (int i = 0; i < net.decoder().size(); i++) {
            d = g.dense("dec" + i, net.decoder().get(i), d, null);
        }
        String out = g.dense("out", net.output(), d, null);

        // The family's two terms: per-feature reconstruction e [N, F] and latent L [N, 1], and the reconstruction mean.
        ModelFamily.GraphTerms terms = net.family().graph(g, net, z, h, latent, out);
        String e = terms.reconstruction();
        String latentTerm = terms.latentTerm();
        String mean = terms.mean();
        String axis1 = g.featureAxis();
        g.node("Squeeze", LATENT_SCORE, Map.of(), latentTerm, axis1);

        // contribution = e + z^2 * (L / (sum z^2 + eps)) (the division per row, not per cell); score = sum(e) + L.
        String zsq = g.node("Mul", z, z);
        String perShare = g.node("Div", latentTerm, g.node("Add", g.rowSum(zsq), g.scalar("share_eps", (float) ReferenceScorer.SHARE_EPSILON)));
        String contribution = g.node("Add", OnnxScoringModel.CONTRIBUTION, Map.of(), e, g.node("Mul", zsq, perShare));
        String reconstruction = g.rowSum(e);
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
}
