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

    /** A candidate as far as it is known: a release names its id and version; a file's are known once it loads. */
    public record Candidate(String source, String modelId, Integer version) {
    }

    /** Told about every rejection and every model that starts serving (metrics, events). */
    public interface Listener {
        Listener NONE = (candidate, why) -> { };

        void rejected(Candidate candidate, String why);

        default void served(Candidate candidate) {
        }
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
            return reject(expected == null ? new Candidate(source, null, null) : new Candidate(source, expected.modelId(), expected.version()),
                    e.getMessage());
        }
        ModelMetadata m = model.metadata();
        if (expected != null && !(m.modelId().equals(expected.modelId()) && m.version() == expected.version())) {
            model.close();
            return reject(new Candidate(source, expected.modelId(), expected.version()), "release says " + expected.modelId() + " v" + expected.version() + " but the ONNX metadata says "
                    + m.modelId() + " v" + m.version());
        }
        if (holder.hasFailed(m.modelId(), m.version())) {
            model.close();
            return reject(candidate(source, m), m.modelId() + " v" + m.version() + " failed on live data before");
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

    /**
     * Refuses a candidate before it is loaded (an untrusted or unreadable release): told to the listener and logged like
     * any rejection.
     *
     * @param release the id and version it announces, or null when it cannot be read
     */
    public synchronized Outcome refuse(String source, Expected release, String why) {
        return reject(new Candidate(source, release == null ? null : release.modelId(), release == null ? null : release.version()), why);
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
            return reject(candidate(source, model.metadata()), String.join("; ", problems));
        }
        holder.swap(model);
        ModelMetadata m = model.metadata();
        log.info("Serving model {} v{} from {}, threshold {}", m.modelId(), m.version(), source, m.threshold());
        listener.served(candidate(source, m));
        return new Outcome(Verdict.SERVING, m.modelId() + " v" + m.version());
    }

    private static Candidate candidate(String source, ModelMetadata m) {
        return new Candidate(source, m.modelId(), m.version());
    }

    private Outcome reject(Candidate candidate, String why) {
        listener.rejected(candidate, why);
        log.warn("Rejected model {}: {}; still serving {}", candidate.source(), why,
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
