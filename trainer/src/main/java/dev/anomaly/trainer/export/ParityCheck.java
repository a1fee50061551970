package dev.anomaly.trainer.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.ReferenceScorer;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Runs an exported model in ONNX Runtime and compares every output with the references: DL4J's own forward pass
 * (latent code, reconstruction) and the Java definition of the score ({@link ReferenceScorer}).
 */
public final class ParityCheck {
    /** The largest relative difference an export may show. */
    public static final double TOLERANCE = 1e-4;
    private static final double FLOOR = 1.0;

    private ParityCheck() {
    }

    /** DL4J's forward pass on raw rows: {latent, reconstruction in raw units}. */
    @FunctionalInterface
    public interface Dl4jForward {
        float[][] apply(float[] raw, int rows);
    }

    /**
     * @throws ParityException when any output differs by more than {@link #TOLERANCE}
     */
    public static ParityReport verify(byte[] onnx, NetworkWeights net, Dl4jForward dl4j, float[] raw, int rows) {
        ParityReport report = measure(onnx, net, dl4j, raw, rows);
        if (!report.passed()) {
            throw new ParityException(report);
        }
        return report;
    }

    public static ParityReport measure(byte[] onnx, NetworkWeights net, Dl4jForward dl4j, float[] raw, int rows) {
        int f = net.width();
        ReferenceScorer.Result ref = ReferenceScorer.score(net, raw, rows);
        float[][] fromDl4j = dl4j.apply(raw, rows);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(raw, 0, rows * f), new long[]{rows, f});
                 OrtSession.Result out = session.run(Map.of(OnnxScoringModel.INPUT, input))) {
                float[] score = floats(out, OnnxScoringModel.SCORE);
                float[] contribution = floats(out, OnnxScoringModel.CONTRIBUTION);
                float[] expected = floats(out, OnnxScoringModel.EXPECTED);
                float[] latent = floats(out, OnnxExporter.LATENT);
                double dScore = maxRel(score, ref.score());
                double dContribution = maxRel(contribution, ref.contribution());
                double dExpected = Math.max(maxRelRaw(expected, ref.expected(), net),
                        maxRelRaw(expected, toDouble(fromDl4j[1]), net));
                double dLatent = Math.max(maxRel(latent, toDouble(ref.latent())), maxRel(latent, toDouble(fromDl4j[0])));
                dScore = Math.max(dScore, maxRel(floats(out, OnnxExporter.LATENT_SCORE), ref.latentScore()));
                return new ParityReport(rows, dScore, dContribution, dExpected, dLatent, TOLERANCE);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot run the exported model: " + e.getMessage(), e);
        }
    }

    private static float[] floats(OrtSession.Result out, String name) throws OrtException {
        FloatBuffer b = ((OnnxTensor) out.get(name).orElseThrow(() -> new IllegalStateException("no output " + name))).getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    /** Expected values are raw: relative to the larger of the value, the column's centre and its scale. */
    private static double maxRelRaw(float[] actual, double[] reference, NetworkWeights net) {
        float[] center = net.normalizer().center();
        float[] scale = net.normalizer().scale();
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            int j = i % center.length;
            double magnitude = Math.max(Math.abs(reference[i]), Math.max(Math.abs(center[j]), scale[j]));
            double d = Math.abs(actual[i] - reference[i]) / Math.max(magnitude, FLOOR);
            if (!(d <= max)) {
                max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static double maxRel(float[] actual, double[] reference) {
        if (actual.length != reference.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - reference[i]) / Math.max(Math.abs(reference[i]), FLOOR);
            if (!(d <= max)) {
                max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return max;
    }
}
