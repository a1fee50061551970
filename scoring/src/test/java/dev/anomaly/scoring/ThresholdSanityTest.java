package dev.anomaly.scoring;

import dev.anomaly.scoring.onnx.OnnxScoringModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A threshold must be one the model could have been calibrated with: inside its own held-out score range. */
class ThresholdSanityTest {
    @ParameterizedTest
    @ValueSource(strings = {"ae", "vae"})
    void shouldAcceptTheCalibratedThresholdOfAModelWithoutAHeldOutRangeAndRefuseSilencingOrAlarmingOnes(String name) {
        ModelMetadata m;
        try (OnnxScoringModel model = OnnxScoringModel.load(FrozenModelsTest.FROZEN.resolve(name + ".onnx"), ScoringOptions.cpu())) {
            m = model.metadata();
        }
        assertThat(m.metrics()).doesNotContainKey(ModelMetadata.HELDOUT_SCORE_MAX); // written before the range was kept
        assertThat(m.thresholdProblem()).isEmpty();

        assertThat(withThreshold(m, 1e30, m.metrics()).thresholdProblem()).hasValueSatisfying(p -> assertThat(p)
                .startsWith("threshold 1.00000e+30 lies outside the model's baseline score quantiles widened by their spread"));
        assertThat(withThreshold(m, -1e30, m.metrics()).thresholdProblem()).isPresent();
        assertThatThrownBy(() -> withThreshold(m, Double.NaN, m.metrics())).hasMessage("threshold must be finite"); // refused on reading
    }

    @ParameterizedTest
    @ValueSource(doubles = {2.0, 9.99, 10.0})
    void shouldAcceptAThresholdInsideTheHeldOutRange(double threshold) {
        ModelMetadata m = frozenAe();
        Map<String, Double> metrics = new HashMap<>(m.metrics());
        metrics.put(ModelMetadata.HELDOUT_SCORE_MIN, 2.0);
        metrics.put(ModelMetadata.HELDOUT_SCORE_MAX, 10.0);

        assertThat(withThreshold(m, threshold, metrics).thresholdProblem()).isEmpty();
        assertThat(withThreshold(m, 10.01, metrics).thresholdProblem()).contains(
                "threshold 10.0100 lies outside the model's held-out score range [2.00000, 10.0000]");
    }

    private static ModelMetadata frozenAe() {
        try (OnnxScoringModel model = OnnxScoringModel.load(FrozenModelsTest.FROZEN.resolve("ae.onnx"), ScoringOptions.cpu())) {
            return model.metadata();
        }
    }

    private static ModelMetadata withThreshold(ModelMetadata m, double threshold, Map<String, Double> metrics) {
        return new ModelMetadata(m.modelId(), m.version(), m.kind(), m.featureSpec(), threshold, m.falseAlarmRate(), m.baseline(),
                m.trainingFingerprint(), m.hyperParameters(), metrics, m.createdAt());
    }
}
