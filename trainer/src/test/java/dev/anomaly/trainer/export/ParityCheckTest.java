package dev.anomaly.trainer.export;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.Baseline;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.ReferenceScorer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The exporter against the Java definition of the score, for every activation and both kinds, on random networks;
 * and a deliberately wrong export is caught.
 */
class ParityCheckTest {
    private static final int F = 5;

    static NetworkWeights randomNetwork(ModelKind kind, Activation act, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] center = new float[F];
        float[] scale = new float[F];
        for (int j = 0; j < F; j++) {
            center[j] = (float) (r.nextDouble() * 100);
            scale[j] = (float) (0.5 + r.nextDouble() * 10);
        }
        int k = 2;
        DenseWeights enc = dense(r, F, 8, act);
        DenseWeights code = dense(r, 8, k, Activation.IDENTITY);
        ModelFamily family = ModelFamilies.of(kind);
        DenseWeights logVar = family.hasLatentLogVariance() ? dense(r, 8, k, Activation.IDENTITY) : null;
        DenseWeights dec = dense(r, k, 8, act);
        DenseWeights out = dense(r, 8, family.outputWidth(F), Activation.IDENTITY);
        // Training statistics that are not the identity, for the families that use them.
        return new NetworkWeights(family, new Normalizer(center, scale), List.of(enc), code, logVar, List.of(dec), out,
                new float[]{0.1f, -0.2f}, new float[]{1.5f, 0.7f}, 3.0f);
    }

    static DenseWeights dense(SplittableRandom r, int in, int out, Activation act) {
        float[] w = new float[in * out];
        float[] b = new float[out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.5);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextGaussian() * 0.1);
        }
        return new DenseWeights(in, out, w, b, act);
    }

    static ModelMetadata metadata(ModelKind kind) {
        FeatureSpec spec = FeatureSpec.of(Feature.numeric("a"), Feature.numeric("b"), Feature.numeric("c"), Feature.numeric("d"), Feature.numeric("e"));
        double[] p = Baseline.DEFAULT_PROBABILITIES;
        return new ModelMetadata("test", 1, kind, spec, 1.0, 0.01, new Baseline(p, new double[p.length], Map.of(), 0), "sha256:0",
                Map.of(), Map.of(), Instant.parse("2026-01-01T00:00:00Z"));
    }

    static float[] rows(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * F];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 120 - 10);
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void shouldMatchTheReferenceForEveryActivationAndKind(Activation act) {
        for (ModelKind kind : ModelKind.values()) {
            NetworkWeights net = randomNetwork(kind, act, act.ordinal());
            byte[] onnx = OnnxExporter.export(net, metadata(kind));
            float[] x = rows(300, 7);
            ParityReport report = ParityCheck.verify(onnx, net, (raw, n) -> referenceForward(net, raw, n), x, 300);
            assertThat(report.max()).as(kind + " " + act).isLessThan(ParityCheck.TOLERANCE);
            assertThat(report.rows()).isEqualTo(300);
        }
    }

    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void shouldRejectAnExportThatComputesSomethingElse(ModelKind kind) {
        NetworkWeights net = randomNetwork(kind, Activation.RELU, 11);
        NetworkWeights tampered = randomNetwork(kind, Activation.RELU, 11);
        tampered.output().bias()[0] += 0.05f; // one bias off by a little
        byte[] onnx = OnnxExporter.export(tampered, metadata(kind));

        ParityException e = catchThrowableOfType(ParityException.class,
                () -> ParityCheck.verify(onnx, net, (raw, n) -> referenceForward(net, raw, n), rows(100, 3), 100));

        assertThat(e.report().max()).isGreaterThan(ParityCheck.TOLERANCE);
        assertThat(e).hasMessageContaining("parity");
    }

    private static float[][] referenceForward(NetworkWeights net, float[] raw, int n) {
        ReferenceScorer.Result r = ReferenceScorer.score(net, raw, n);
        float[] expected = new float[r.expected().length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) r.expected()[i];
        }
        return new float[][]{r.latent(), expected};
    }
}
