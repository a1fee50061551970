package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.TestData;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.export.OnnxImporter;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.model.TrainingHistory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each penalty on the AE's code does what it says, measured on the trained network against the same network trained
 * without it (same data, seed and epochs): the contractive penalty lowers the encoder's Jacobian norm, measured by
 * finite differences; under KL sparsity the code units' mean activations approach ρ. Training with either reduces its
 * loss, exports with the parity check (TrainingJob refuses a model that fails it) and is deterministic.
 */
class CodePenaltiesTest {
    private static final int EPOCHS = 25;
    private static Dataset data;
    private static TrainingJob.Outcome plain;

    @BeforeAll
    static void trainPlain() {
        data = TestData.telemetry(5, 3000, 0.0);
        plain = train(Map.of());
    }

    static TrainingJob.Outcome train(Map<String, String> parameters) {
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE, parameters), data.width(), data.rows()).withEpochs(EPOCHS);
        return TrainingJob.run(data, config, "penalties", 1, ProgressListener.NONE);
    }

    @Test
    void shouldLowerTheEncodersJacobianNormWithTheContractivePenalty() {
        TrainingJob.Outcome cae = train(Map.of(Autoencoder.CONTRACTION, "1.0"));

        double without = meanJacobianNorm(plain.onnx());
        double with = meanJacobianNorm(cae.onnx());
        System.out.printf("encoder Jacobian ||dc/dx||_F (finite differences, 300 rows): plain %.4f, contractive %.4f%n", without, with);
        assertThat(with).isLessThan(0.7 * without);
        assertLossFalls(cae.network().history());
        assertThat(cae.metadata().hyperParameters()).containsEntry(Autoencoder.CONTRACTION, "1.0");
        assertThat(cae.metadata().kind()).isEqualTo(ModelKind.AE);
        assertThat(train(Map.of(Autoencoder.CONTRACTION, "1.0")).validationScores()).containsExactly(cae.validationScores());
    }

    @Test
    void shouldPullTheCodesMeanActivationsTowardsTheSparsityTarget() {
        double rho = 0.1;
        TrainingJob.Outcome sparse = train(Map.of(Autoencoder.SPARSITY_TARGET, Double.toString(rho)));

        double[] without = meanActivations(plain.onnx());
        double[] with = meanActivations(sparse.onnx());
        System.out.printf("mean logistic activation of the code units: plain %s, KL-sparse (rho %.2f) %s%n",
                java.util.Arrays.toString(without), rho, java.util.Arrays.toString(with));
        for (int j = 0; j < with.length; j++) {
            assertThat(Math.abs(with[j] - rho)).as("unit " + j).isLessThan(0.05);
        }
        assertThat(java.util.Arrays.stream(without).map(a -> Math.abs(a - rho)).max().orElseThrow()).isGreaterThan(0.1);
        assertLossFalls(sparse.network().history());
    }

    @Test
    void shouldNameTheContractiveVariantCaeAndTrainItAsAnAe() {
        assertThat(ModelFamilies.named("cae", Map.of())).isEqualTo(new Autoencoder(0, Autoencoder.DEFAULT_CONTRACTION, 0, 1));
        assertThat(ModelFamilies.named("CAE", Map.of(Autoencoder.CONTRACTION, "0.5"))).isEqualTo(new Autoencoder(0, 0.5, 0, 1));
        assertThat(ModelFamilies.named("vae", Map.of())).isEqualTo(new VariationalAutoencoder(1));
        assertThat(ModelFamilies.names()).containsExactly("ae", "vae", "ae-tied", "cae", "cvae", "vqvae");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelFamilies.named("gan", Map.of()))
                .hasMessage("unknown model 'gan' (known: ae, vae, ae-tied, cae, cvae, vqvae)");
    }

    private static void assertLossFalls(TrainingHistory history) {
        List<Double> loss = history.trainLoss();
        assertThat(loss.get(loss.size() - 1)).isLessThan(0.5 * loss.get(0));
    }

    /** Mean over rows of ||∂c/∂z||_F by central differences, in the standardised input units the network sees. */
    private static double meanJacobianNorm(byte[] onnx) {
        NetworkWeights net = OnnxImporter.read(onnx).network();
        int f = net.width();
        int k = net.latent();
        float[] z = net.normalizer().apply(java.util.Arrays.copyOf(data.values(), 300 * f), 300);
        double h = 1e-2;
        double total = 0;
        for (int r = 0; r < 300; r++) {
            double frob = 0;
            for (int i = 0; i < f; i++) {
                float[] up = java.util.Arrays.copyOfRange(z, r * f, (r + 1) * f);
                float[] down = up.clone();
                up[i] += (float) h;
                down[i] -= (float) h;
                float[] cu = code(net, up);
                float[] cd = code(net, down);
                for (int j = 0; j < k; j++) {
                    double d = (cu[j] - cd[j]) / (2 * h);
                    frob += d * d;
                }
            }
            total += Math.sqrt(frob);
        }
        return total / 300;
    }

    private static double[] meanActivations(byte[] onnx) {
        NetworkWeights net = OnnxImporter.read(onnx).network();
        int f = net.width();
        int k = net.latent();
        int rows = data.rows();
        float[] z = net.normalizer().apply(data.values(), rows);
        double[] mean = new double[k];
        for (int r = 0; r < rows; r++) {
            float[] c = code(net, java.util.Arrays.copyOfRange(z, r * f, (r + 1) * f));
            for (int j = 0; j < k; j++) {
                mean[j] += 1 / (1 + Math.exp(-c[j])) / rows;
            }
        }
        return mean;
    }

    private static float[] code(NetworkWeights net, float[] z) {
        float[] h = z;
        for (DenseWeights layer : net.encoder()) {
            h = layer.forward(h, 1);
        }
        return net.code().forward(h, 1);
    }
}
