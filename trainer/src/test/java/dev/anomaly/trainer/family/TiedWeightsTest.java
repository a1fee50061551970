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
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The AE with tied weights: every decoder matrix in the exported model is exactly the transpose of the encoder matrix
 * it mirrors; it trains (loss falls), passes the parity check, is deterministic, and is still the AE kind.
 */
class TiedWeightsTest {

    static TrainingJob.Outcome train(Dataset data, int[] hidden) {
        TrainingConfig d = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE, Map.of(Autoencoder.TIED_WEIGHTS, "true")),
                data.width(), data.rows());
        TrainingConfig config = new TrainingConfig(d.family(), hidden, d.latent(), d.activation(), 20, d.batchSize(),
                d.learningRate(), d.weightDecay(), d.validationFraction(), d.patience(), d.seed(), d.denoise(), d.scaling(),
                d.falseAlarmRate(), d.contamination());
        return TrainingJob.run(data, config, "tied", 1, ProgressListener.NONE);
    }

    @Test
    void shouldDecodeWithTheEncodersWeightsTransposed() {
        Dataset data = TestData.telemetry(3, 2000, 0.0);
        TrainingJob.Outcome tied = train(data, new int[]{8, 6});
        NetworkWeights net = OnnxImporter.read(tied.onnx()).network();
        assertThat(net.decoder()).hasSize(2);
        assertTransposed(net.code(), net.decoder().get(0));
        assertTransposed(net.encoder().get(1), net.decoder().get(1));
        assertTransposed(net.encoder().get(0), net.output());

        var history = tied.network().history();
        assertThat(history.trainLoss().get(history.bestEpoch() - 1)).isLessThan(history.trainLoss().get(0));
        assertThat(tied.parity().max()).isLessThanOrEqualTo(1e-4);
        assertThat(tied.metadata().kind()).isEqualTo(ModelKind.AE);
        assertThat(tied.metadata().hyperParameters()).containsEntry(Autoencoder.TIED_WEIGHTS, "true");
        assertThat(train(data, new int[]{8, 6}).validationScores()).containsExactly(tied.validationScores());
    }

    @Test
    void shouldRefuseTiedWeightsWithAPenaltyOnTheCode() {
        assertThatThrownBy(() -> ModelFamilies.named("cae", Map.of(Autoencoder.TIED_WEIGHTS, "true")))
                .hasMessageContaining("--tied-weights trains without penalties");
        assertThatThrownBy(() -> ModelFamilies.named("ae", Map.of(Autoencoder.TIED_WEIGHTS, "yes")))
                .hasMessageContaining("tied_weights must be true or false");
    }

    private static void assertTransposed(DenseWeights encoder, DenseWeights decoder) {
        assertThat(decoder.in()).isEqualTo(encoder.out());
        assertThat(decoder.out()).isEqualTo(encoder.in());
        for (int i = 0; i < encoder.in(); i++) {
            for (int o = 0; o < encoder.out(); o++) {
                assertThat(decoder.weights()[o * encoder.in() + i]).isEqualTo(encoder.weights()[i * encoder.out() + o]);
            }
        }
    }
}
