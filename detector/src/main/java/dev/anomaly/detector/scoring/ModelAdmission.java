package dev.anomaly.detector.scoring;

import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one way a model becomes the serving one, from a file or from the models topic. A candidate is loaded and
 * smoke-tested at the detector's batch size; then its feature spec is checked against the input topics' latest value
 * schemas. When those are not known yet (nothing registered, registry unreachable), the check is deferred, not
 * skipped: the candidate waits, not serving, and {@link #recheck()} (called periodically) serves or rejects it once the
 * schemas can be read. A newer candidate replaces a waiting one. So a model that cannot read the input never serves,
 * and the serving model, if any, keeps serving meanwhile.
 */
public final class ModelAdmission implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelAdmission.class);

    /** What became of a candidate. */
    public enum Verdict { SERVING, WAITING_FOR_SCHEMA, REJECTED }

    public record Outcome(Verdict verdict, String message) {
    }

    /** The model id and version a release announces; its ONNX metadata must say the same. */
    public record Expected(String modelId, int version) {
    }

    /** Told about every rejection (metrics, events). */
    public interface Listener {
        Listener NONE = (source, why) -> { };

        void rejected(String source, String why);
    }

    private final ModelHolder holder;
    private final ScoringOptions options;
    private final int batchSize;
    private final Supplier<InputSchemas> inputSchemas;
    private final Listener listener;
    private OnnxScoringModel waiting;
    private String waitingSource;

    public ModelAdmission(ModelHolder holder, ScoringOptions options, int batchSize, Supplier<InputSchemas> inputSchemas, Listener listener) {
        this.holder = holder;
        this.options = options;
        this.batchSize = batchSize;
        this.inputSchemas = inputSchemas;
        this.listener = listener;
    }

    /**
     * Validates a candidate and serves it, keeps it waiting for the input schema, or rejects it.
     *
     * @param source   where it came from, for messages ("file x.onnx", "release pumps v3")
     * @param expected the id and version its metadata must carry (a release's key), or null
     */
    public synchronized Outcome offer(byte[] onnx, String source, Expected expected) {
        OnnxScoringModel model;
        try {
            model = ReleaseValidator.load(onnx, options, batchSize);
        } catch (ModelException e) {
            return reject(source, e.getMessage());
        }
        ModelMetadata m = model.metadata();
        if (expected != null && !(m.modelId().equals(expected.modelId()) && m.version() == expected.version())) {
            model.close();
            return reject(source, "release says " + expected.modelId() + " v" + expected.version() + " but the ONNX metadata says "
                    + m.modelId() + " v" + m.version());
        }
        if (holder.hasFailed(m.modelId(), m.version())) {
            model.close();
            return reject(source, m.modelId() + " v" + m.version() + " failed on live data before");
        }
        InputSchemas input = inputSchemas.get();
        if (input.missing().isPresent()) {
            if (waiting != null) {
                log.info("Model {} replaces {} waiting for the input schema", source, waitingSource);
                waiting.close();
            }
            waiting = model;
            waitingSource = source;
            log.warn("Model {} ({} v{}) loaded but not serving: its fit to the input cannot be checked yet ({}); checking again until it can",
                    source, m.modelId(), m.version(), input.missing().get());
            return new Outcome(Verdict.WAITING_FOR_SCHEMA, input.missing().get());
        }
        return decide(model, source, input);
    }

    /** Checks the waiting candidate again; serves or rejects it once the input schemas are known. */
    public synchronized Optional<Outcome> recheck() {
        if (waiting == null) {
            return Optional.empty();
        }
        InputSchemas input = inputSchemas.get();
        if (input.missing().isPresent()) {
            return Optional.of(new Outcome(Verdict.WAITING_FOR_SCHEMA, input.missing().get()));
        }
        OnnxScoringModel model = waiting;
        String source = waitingSource;
        waiting = null;
        waitingSource = null;
        return Optional.of(decide(model, source, input));
    }

    /** The candidate waiting for the input schema, if any. */
    public synchronized Optional<ModelMetadata> waiting() {
        return waiting == null ? Optional.empty() : Optional.of(waiting.metadata());
    }

    private Outcome decide(OnnxScoringModel model, String source, InputSchemas input) {
        List<String> problems = ReleaseValidator.problems(model.metadata(), input.schemas());
        if (!problems.isEmpty()) {
            model.close();
            return reject(source, String.join("; ", problems));
        }
        holder.swap(model);
        ModelMetadata m = model.metadata();
        log.info("Serving model {} v{} from {}, threshold {}", m.modelId(), m.version(), source, m.threshold());
        return new Outcome(Verdict.SERVING, m.modelId() + " v" + m.version());
    }

    private Outcome reject(String source, String why) {
        listener.rejected(source, why);
        log.warn("Rejected model {}: {}; still serving {}", source, why,
                holder.metadata().map(m -> m.modelId() + " v" + m.version()).orElse("nothing"));
        return new Outcome(Verdict.REJECTED, why);
    }

    @Override
    public synchronized void close() {
        if (waiting != null) {
            waiting.close();
            waiting = null;
        }
    }
}
