package dev.anomaly.detector.scoring;

import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
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
    public enum Verdict { SERVING, SHADOW, WAITING_FOR_SCHEMA, REJECTED }

    /**
     * How a candidate replaces a serving model: it first scores beside it for {@code records} records (0: it replaces it
     * at once), and is promoted if its alert rate is within {@code maxFactor} of its target either way.
     */
    public record Shadow(long records, double maxFactor) {
        public static final Shadow OFF = new Shadow(0, 3.0);
    }

    public record Outcome(Verdict verdict, String message) {
    }

    /**
     * The model id and version a release announces (its ONNX metadata must say the same), and whether it is to serve at
     * once, skipping the shadow trial (an operator's promote or rollback).
     */
    public record Expected(String modelId, int version, boolean immediate) {
        public Expected(String modelId, int version) {
            this(modelId, version, false);
        }
    }

    /** A candidate as far as it is known: a release names its id and version; a file's are known once it loads. */
    public record Candidate(String source, String modelId, Integer version) {
    }

    /** Told about every rejection and every model that starts serving (metrics, events). */
    public interface Listener {
        Listener NONE = (candidate, why) -> { };

        void rejected(Candidate candidate, String why);

        /** {@code note}: how it came to serve (the shadow's figures), or null when it replaced the serving model at once. */
        default void served(Candidate candidate, String note) {
        }

        default void shadowing(Candidate candidate) {
        }
    }

    private final ModelHolder holder;
    private final ScoringOptions options;
    private final int batchSize;
    private final Supplier<InputSchemas> inputSchemas;
    private final Listener listener;
    private final Shadow shadow;
    private final Map<ShadowTrial, String> trialSources = new java.util.concurrent.ConcurrentHashMap<>();
    private OnnxScoringModel waiting;
    private boolean waitingImmediate;
    private String waitingSource;

    public ModelAdmission(ModelHolder holder, ScoringOptions options, int batchSize, Supplier<InputSchemas> inputSchemas, Listener listener) {
        this(holder, options, batchSize, inputSchemas, listener, Shadow.OFF);
    }

    public ModelAdmission(ModelHolder holder, ScoringOptions options, int batchSize, Supplier<InputSchemas> inputSchemas, Listener listener,
                          Shadow shadow) {
        this.shadow = shadow;
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
            waitingImmediate = expected != null && expected.immediate();
            log.warn("Model {} ({} v{}) loaded but not serving: its fit to the input cannot be checked yet ({}); checking again until it can",
                    source, m.modelId(), m.version(), input.missing().get());
            return new Outcome(Verdict.WAITING_FOR_SCHEMA, input.missing().get());
        }
        return decide(model, source, input, expected != null && expected.immediate());
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
        return Optional.of(decide(model, source, input, waitingImmediate));
    }

    /** The candidate waiting for the input schema, if any. */
    public synchronized Optional<ModelMetadata> waiting() {
        return waiting == null ? Optional.empty() : Optional.of(waiting.metadata());
    }

    private Outcome decide(OnnxScoringModel model, String source, InputSchemas input, boolean immediate) {
        List<String> problems = ReleaseValidator.problems(model.metadata(), input.schemas());
        if (!problems.isEmpty()) {
            model.close();
            return reject(candidate(source, model.metadata()), String.join("; ", problems));
        }
        ModelMetadata m = model.metadata();
        var serving = holder.metadata();
        holder.shadowTrial().ifPresent(old -> { // whatever becomes of this candidate, it is newer than the one in shadow
            holder.endShadow(old);
            String oldSource = trialSources.remove(old);
            old.model().close();
            reject(candidate(oldSource, old.metadata()), "superseded by v" + m.version() + " while in shadow");
        });
        if (!immediate && shadow.records() > 0 && serving.isPresent() && serving.get().featureSpec().equals(m.featureSpec())) {
            ShadowTrial trial = new ShadowTrial(model, shadow.records(), shadow.maxFactor(), this::shadowDone);
            trialSources.put(trial, source);
            holder.shadow(trial);
            log.info("Model {} v{} from {} scores in shadow beside v{} for {} records before it may serve", m.modelId(), m.version(),
                    source, serving.get().version(), shadow.records());
            listener.shadowing(candidate(source, m));
            return new Outcome(Verdict.SHADOW, m.modelId() + " v" + m.version() + " in shadow");
        }
        holder.swap(model);
        log.info("Serving model {} v{} from {}, threshold {}", m.modelId(), m.version(), source, m.threshold());
        listener.served(candidate(source, m), null);
        return new Outcome(Verdict.SERVING, m.modelId() + " v" + m.version());
    }

    /** A shadow trial ended: promote its candidate, or reject it, with the figures. Runs on a scoring thread. */
    private void shadowDone(ShadowTrial trial, ShadowTrial.Verdict verdict) {
        holder.endShadow(trial);
        String source = trialSources.remove(trial);
        ModelMetadata m = trial.metadata();
        if (source == null) {
            return; // superseded meanwhile
        }
        if (verdict.promote()) {
            holder.swap(trial.model());
            log.info("Promoted model {} v{} from shadow: {}", m.modelId(), m.version(), verdict.summary());
            listener.served(candidate(source, m), "promoted " + verdict.summary());
        } else {
            trial.model().close();
            synchronized (this) {
                reject(candidate(source, m), "rejected " + verdict.summary());
            }
        }
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
