package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.model.ModelException;
import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.schemas.model.OnnxScoringModel;
import dev.anomaly.schemas.model.ScoreBatch;
import dev.anomaly.schemas.model.ScoringOptions;
import org.apache.avro.Schema;

import java.util.List;
import java.util.Optional;

/**
 * Decides whether a model may serve: it loads in ONNX Runtime with the expected signature and anomaly metadata, its
 * feature spec fits the input schema, and a smoke batch built from its own baseline (feature quantiles 1 %, 50 %,
 * 99 %) scores finite numbers.
 */
public final class ReleaseValidator {
    private ReleaseValidator() {
    }

    /**
     * @param inputSchema latest schema of the input topic, when known
     * @throws ModelException saying why the model is rejected
     */
    public static OnnxScoringModel validate(byte[] onnx, Optional<Schema> inputSchema, ScoringOptions options) {
        OnnxScoringModel model = OnnxScoringModel.load(onnx, options);
        try {
            ModelMetadata m = model.metadata();
            inputSchema.ifPresent(schema -> {
                List<String> problems = m.featureSpec().problemsWith(schema);
                if (!problems.isEmpty()) {
                    throw new ModelException("Feature spec of " + m.modelId() + " v" + m.version() + " does not fit input schema "
                            + schema.getFullName() + ": " + problems);
                }
            });
            smokeTest(model);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e instanceof ModelException me ? me : new ModelException("Model rejected: " + e.getMessage(), e);
        }
    }

    static void smokeTest(OnnxScoringModel model) {
        ModelMetadata m = model.metadata();
        List<String> columns = m.featureSpec().columnNames();
        double[] probabilities = m.baseline().probabilities();
        int[] picks = {0, probabilities.length / 2, probabilities.length - 1};
        float[] rows = new float[picks.length * columns.size()];
        for (int r = 0; r < picks.length; r++) {
            for (int j = 0; j < columns.size(); j++) {
                double[] q = m.baseline().featureQuantiles().get(columns.get(j));
                rows[r * columns.size() + j] = q == null ? 0f : (float) q[picks[r]];
            }
        }
        ScoreBatch batch = model.score(rows, picks.length);
        for (float[] out : new float[][]{batch.score(), batch.expected(), batch.contribution()}) {
            for (float v : out) {
                if (!Float.isFinite(v)) {
                    throw new ModelException("Model " + m.modelId() + " v" + m.version() + " scores a non-finite value on its own baseline rows");
                }
            }
        }
    }
}
