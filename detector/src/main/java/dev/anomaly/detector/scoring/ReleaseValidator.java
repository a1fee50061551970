package dev.anomaly.detector.scoring;

import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a model may serve: it loads in ONNX Runtime with the expected signature and anomaly metadata (and
 * none of what {@code OnnxScoringModel} refuses: external data, custom operators), its threshold lies inside its own
 * held-out score range, a smoke
 * batch of the size the detector will score (rows mixed from its own baseline quantiles) scores finite numbers through
 * both the full graph and the score-only one, and its feature spec fits the input schema.
 */
public final class ReleaseValidator {
    /** Smallest smoke batch, whatever the configured batch size. */
    static final int MIN_SMOKE_ROWS = 64;

    private ReleaseValidator() {
    }

    /**
     * Loads and smoke-tests a model at {@code batchSize} rows, then checks it against {@code inputSchema} when known.
     *
     * @throws ModelException saying why the model is rejected
     */
    public static OnnxScoringModel validate(byte[] onnx, Optional<Schema> inputSchema, ScoringOptions options, int batchSize) {
        OnnxScoringModel model = load(onnx, options, batchSize);
        try {
            inputSchema.ifPresent(schema -> {
                List<String> problems = problems(model.metadata(), List.of(schema));
                if (!problems.isEmpty()) {
                    throw new ModelException(String.join("; ", problems));
                }
            });
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** {@link #validate} at the detector's default batch size. */
    public static OnnxScoringModel validate(byte[] onnx, Optional<Schema> inputSchema, ScoringOptions options) {
        return validate(onnx, inputSchema, options, 512);
    }

    /** Loads the model and smoke-tests it at {@code batchSize} rows; no schema check. */
    public static OnnxScoringModel load(byte[] onnx, ScoringOptions options, int batchSize) {
        OnnxScoringModel model = OnnxScoringModel.load(onnx, options);
        try {
            ModelMetadata m = model.metadata();
            m.thresholdProblem().ifPresent(problem -> {
                throw new ModelException("Model " + m.modelId() + " v" + m.version() + " refused: " + problem);
            });
            smokeTest(model, Math.max(MIN_SMOKE_ROWS, batchSize));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e instanceof ModelException me ? me : new ModelException("Model rejected: " + e.getMessage(), e);
        }
    }

    /** Why records of each of {@code schemas} cannot feed the model (empty when they all can). */
    public static List<String> problems(ModelMetadata m, List<Schema> schemas) {
        List<String> out = new ArrayList<>();
        for (Schema schema : schemas) {
            List<String> problems = m.featureSpec().problemsWith(schema);
            if (!problems.isEmpty()) {
                out.add("Feature spec of " + m.modelId() + " v" + m.version() + " does not fit input schema "
                        + schema.getFullName() + ": " + problems);
            }
        }
        return out;
    }

    /**
     * Scores {@code rows} rows whose columns take the model's own baseline quantiles, mixed so that no two columns of a
     * row sit at the same quantile: every output must be finite, through the full graph and through the score-only
     * graph the detector uses (explaining the rows above the threshold).
     */
    static void smokeTest(OnnxScoringModel model, int rows) {
        ModelMetadata m = model.metadata();
        List<String> columns = m.featureSpec().columnNames();
        int w = columns.size();
        int p = m.baseline().probabilities().length;
        float[] values = new float[rows * w];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < w; j++) {
                double[] q = m.baseline().featureQuantiles().get(columns.get(j));
                values[r * w + j] = q == null ? 0f : (float) q[(r + 7 * j) % p];
            }
        }
        ScoreBatch full;
        ScoreBatch detector;
        try {
            full = model.score(values, rows);
            detector = model.scoreExplainingAbove(values, rows, m.threshold());
        } catch (RuntimeException e) {
            throw new ModelException("Model " + m.modelId() + " v" + m.version() + " fails on a batch of " + rows + " rows: " + e.getMessage(), e);
        }
        for (ScoreBatch batch : new ScoreBatch[]{full, detector}) {
            for (float[] out : new float[][]{batch.score(), batch.expected(), batch.contribution()}) {
                for (float v : out) {
                    if (!Float.isFinite(v)) {
                        throw new ModelException("Model " + m.modelId() + " v" + m.version() + " scores a non-finite value on a batch of "
                                + rows + " rows of its own baseline");
                    }
                }
            }
        }
    }
}
