package dev.anomaly.detector.scoring;

import dev.anomaly.detector.TestModels;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReleaseValidatorTest {
    @Test
    void shouldAcceptAModelThatFitsTheInputSchema() {
        try (OnnxScoringModel m = ReleaseValidator.validate(TestModels.centreModel("pumps", 1, 5), Optional.of(MachineTelemetry.getClassSchema()),
                ScoringOptions.cpu())) {
            assertThat(m.metadata().version()).isEqualTo(1);
        }
    }

    @Test
    void shouldRejectGarbageAndMismatchedSpecs() {
        assertThatThrownBy(() -> ReleaseValidator.validate(new byte[]{1, 2, 3}, Optional.empty(), ScoringOptions.cpu()))
                .isInstanceOf(ModelException.class).hasMessageContaining("cannot load");
        var other = SchemaBuilder.record("Other").fields().requiredDouble("rpm").requiredString("powerKw").endRecord();
        assertThatThrownBy(() -> ReleaseValidator.validate(TestModels.centreModel("pumps", 1, 5), Optional.of(other), ScoringOptions.cpu()))
                .isInstanceOf(ModelException.class).hasMessageContaining("powerKw").hasMessageContaining("does not fit");
    }

    @Test
    void shouldSmokeTestAtTheConfiguredBatchSize() {
        byte[] failsAt512 = dev.anomaly.detector.FaultyModels.throwingFromBatchOf(TestModels.centreModel("pumps", 1, 5), 512);
        // The old check scored 3 rows and let this model through; at the detector's batch size it fails.
        ReleaseValidator.validate(failsAt512, Optional.empty(), ScoringOptions.cpu(), 256).close();
        assertThatThrownBy(() -> ReleaseValidator.validate(failsAt512, Optional.empty(), ScoringOptions.cpu(), 512))
                .isInstanceOf(ModelException.class).hasMessageContaining("fails on a batch of 512 rows");
        assertThatThrownBy(() -> ReleaseValidator.validate(dev.anomaly.detector.FaultyModels.nanEverywhere(TestModels.centreModel("pumps", 1, 5)),
                Optional.empty(), ScoringOptions.cpu(), 512))
                .isInstanceOf(ModelException.class).hasMessageContaining("non-finite");
    }

    @Test
    void shouldFallBackToCpuWhenCudaIsUnavailable() {
        // This build has the CPU ONNX Runtime: asking for CUDA must log one warning and still score, on the CPU.
        try (OnnxScoringModel m = OnnxScoringModel.load(TestModels.centreModel("pumps", 1, 5), new ScoringOptions("cuda:0", 1))) {
            assertThat(m.device()).isEqualTo("cpu");
            assertThat(m.score(TestModels.CENTER, 1).score()[0]).isEqualTo(0f);
        }
    }
}
