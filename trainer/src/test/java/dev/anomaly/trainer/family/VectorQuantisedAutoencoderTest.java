package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.TestData;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.export.OnnxImporter;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.ReferenceScorer;
import dev.anomaly.trainer.model.TrainingConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The VQ-VAE: training reduces its loss; the exported model passes parity (its ArgMin/Gather against Java's nearest
 * entry); it is deterministic; its codebook is in use (many entries are some row's nearest); and the entry the decoder
 * reads is exactly the nearest to the code, checked by brute force against every entry.
 */
class VectorQuantisedAutoencoderTest {
    private static Dataset data;
    private static TrainingJob.Outcome vq;

    @BeforeAll
    static void train() {
        data = TestData.telemetry(11, 3000, 0.0);
        vq = run();
    }

    static TrainingJob.Outcome run() {
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.named("vqvae", Map.of()), data.width(), data.rows()).withEpochs(25);
        return TrainingJob.run(data, config, "prototypes", 1, ProgressListener.NONE);
    }

    @Test
    void shouldTrainExportAndScoreDeterministically() {
        var history = vq.network().history();
        assertThat(history.validationLoss().get(history.bestEpoch() - 1)).isLessThan(history.validationLoss().get(0));
        assertThat(vq.parity().max()).as("parity %s", vq.parity()).isLessThanOrEqualTo(1e-4);
        assertThat(vq.metadata().kind()).isEqualTo(ModelKind.AE);
        assertThat(vq.metadata().hyperParameters()).containsEntry(VectorQuantisedAutoencoder.CODEBOOK, "16");
        assertThat(run().validationScores()).containsExactly(vq.validationScores());
    }

    @Test
    void shouldDecodeTheNearestCodebookEntryAndUseMany() {
        NetworkWeights net = OnnxImporter.read(vq.onnx()).network();
        int k = net.latent();
        int entries = net.codebook().length / k;
        assertThat(entries).isEqualTo(16);
        int rows = vq.validation().rows();
        ReferenceScorer.Result scored = ReferenceScorer.score(net, vq.validation().values(), rows);
        float[] code = scored.latent();
        float[] q = net.family().decoderInput(net, null, code, rows);
        Set<Integer> used = new TreeSet<>();
        for (int r = 0; r < rows; r++) {
            int best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int e = 0; e < entries; e++) {
                double d = 0;
                for (int i = 0; i < k; i++) {
                    double u = code[r * k + i] - net.codebook()[e * k + i];
                    d += u * u;
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = e;
                }
            }
            used.add(best);
            for (int i = 0; i < k; i++) {
                assertThat(q[r * k + i]).isEqualTo(net.codebook()[best * k + i]);
            }
        }
        System.out.printf("VQ-VAE: %d of %d codebook entries are the nearest of some held-out row%n", used.size(), entries);
        assertThat(used.size()).isGreaterThan(4);
    }
}
