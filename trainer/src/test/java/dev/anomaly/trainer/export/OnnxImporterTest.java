package dev.anomaly.trainer.export;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.NetworkWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OnnxImporterTest {

    static ModelMetadata metadata(ModelKind kind, Activation activation) {
        ModelMetadata m = ParityCheckTest.metadata(kind);
        return new ModelMetadata(m.modelId(), m.version(), kind, m.featureSpec(), m.threshold(), m.falseAlarmRate(), m.baseline(),
                m.trainingFingerprint(), Map.of("activation", activation.name().toLowerCase()), m.metrics(), m.createdAt());
    }

    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void shouldReadBackTheNetworkAModelFileWasWrittenFrom(ModelKind kind) {
        NetworkWeights net = ParityCheckTest.randomNetwork(kind, Activation.ELU, 5);
        byte[] onnx = OnnxExporter.export(net, metadata(kind, Activation.ELU));

        OnnxImporter.Imported imported = OnnxImporter.read(onnx);
        NetworkWeights back = imported.network();

        assertThat(back.family()).isEqualTo(net.family());
        assertThat(back.normalizer().center()).containsExactly(net.normalizer().center());
        assertThat(back.normalizer().scale()).containsExactly(net.normalizer().scale());
        assertThat(back.encoder()).hasSameSizeAs(net.encoder());
        assertThat(back.encoder().get(0).weights()).containsExactly(net.encoder().get(0).weights());
        assertThat(back.encoder().get(0).activation()).isEqualTo(Activation.ELU);
        assertThat(back.output().bias()).containsExactly(net.output().bias());
        assertThat(imported.metadata().kind()).isEqualTo(kind);
        // Written again, it scores what the original file scores.
        float[] x = ParityCheckTest.rows(200, 9);
        try (OnnxScoringModel original = OnnxScoringModel.load(onnx, ScoringOptions.cpu());
             OnnxScoringModel again = OnnxScoringModel.load(OnnxExporter.export(back, imported.metadata()), ScoringOptions.cpu())) {
            ScoreBatch a = original.score(x, 200);
            ScoreBatch b = again.score(x, 200);
            for (int i = 0; i < 200; i++) {
                assertThat((double) b.score()[i]).isCloseTo(a.score()[i], org.assertj.core.data.Percentage.withPercentage(1e-4));
            }
        }
    }

    @Test
    void shouldRefuseBytesThatAreNoModel() {
        assertThatThrownBy(() -> OnnxImporter.read(new byte[]{1, 2, 3, 4, 5})).isInstanceOf(ModelException.class);
    }
}
