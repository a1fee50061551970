package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.BatchScorer;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The model being served, shared by all stream threads. Scoring runs under a read lock, so a swap waits for batches
 * in flight and replaces the model between batches.
 *
 * <p>A model that passed validation can still fail on live data. So the model it replaced is kept, not closed, until
 * the new one has scored {@code probationRecords} records; if the new one throws or scores a non-finite value before
 * that, it is retired for good and the previous one serves again (the batch is scored again with it). After probation,
 * or when there is nothing to go back to, a failing batch is split in halves until the rows that fail are found:
 * those rows are returned as faults (the caller dead-letters them) and every other row is scored.
 */
public final class ModelHolder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelHolder.class);
    /** Records a new model must score before the previous one is closed, by default. */
    public static final long DEFAULT_PROBATION_RECORDS = 10_000;

    /** What the holder tells the rest of the detector (metrics, logs, readiness). */
    public interface Events {
        Events NONE = new Events() {
        };

        default void swapped(ModelMetadata serving) {
        }

        /** {@code failed} threw or scored non-finite values on live data; {@code restored} serves again. */
        default void reverted(ModelMetadata failed, ModelMetadata restored, String why) {
        }
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Events events;
    private final long probationRecords;
    private volatile ScoringModel current;
    /** The model {@link #current} replaced, kept while {@link #current} is on probation; null otherwise. */
    private ScoringModel previous;
    private final AtomicLong probationLeft = new AtomicLong();
    /** Models (id and version) that failed on live data: never served again by this process. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    /** A candidate scoring beside the serving model, if any (see {@link ShadowTrial}). */
    private volatile ShadowTrial shadow;

    public ModelHolder(Events events, long probationRecords) {
        this.events = events;
        this.probationRecords = probationRecords;
    }

    public ModelHolder() {
        this(Events.NONE, DEFAULT_PROBATION_RECORDS);
    }

    /** Metadata of the serving model, if any. */
    public Optional<ModelMetadata> metadata() {
        ScoringModel m = current;
        return m == null ? Optional.empty() : Optional.of(m.metadata());
    }

    /** Starts {@code trial} beside the serving model, in place of any trial running (whose candidate the caller closes). */
    public void shadow(ShadowTrial trial) {
        shadow = trial;
    }

    /** Ends {@code trial} if it is the one running. */
    public void endShadow(ShadowTrial trial) {
        if (shadow == trial) {
            shadow = null;
        }
    }

    /** The candidate in shadow, if any. */
    public Optional<ShadowTrial> shadowTrial() {
        return Optional.ofNullable(shadow);
    }

    /** Whether this model version failed on live data here before (a release of it is not served again). */
    public boolean hasFailed(String modelId, int version) {
        return failed.contains(modelId + " v" + version);
    }

    /** Installs {@code next}; the model it replaces stays as the fallback until {@code next} has passed probation. */
    public void swap(ScoringModel next) {
        ScoringModel retired = null;
        lock.writeLock().lock();
        try {
            if (current == null || probationRecords <= 0) {
                retired = current;
            } else if (previous != null) {
                retired = current; // still on probation itself: the fallback stays the last model that passed
            } else {
                previous = current;
            }
            current = next;
            probationLeft.set(probationRecords);
        } finally {
            lock.writeLock().unlock();
        }
        if (retired != null && retired != next) {
            retired.close();
        }
        events.swapped(next.metadata());
    }

    /** Metadata of the serving model, read without waiting for a swap in progress. */
    public ModelMetadata serving() {
        return required().metadata();
    }

    private ScoringModel required() {
        ScoringModel m = current;
        if (m == null) {
            throw new IllegalStateException("No model loaded");
        }
        return m;
    }

    /**
     * A batch result together with the model that produced it and the raw feature rows it scored. Only rows above the
     * model's threshold (the alerts) carry expected values and contributions. Rows in {@code faults} have no usable
     * score (NaN) and must not be read as scored.
     */
    public record Scored(ScoreBatch batch, ModelMetadata model, float[] features, List<BatchScorer.Fault> faults) {
        public Scored(ScoreBatch batch, ModelMetadata model, float[] features) {
            this(batch, model, features, List.of());
        }
    }

    /**
     * Scores with the serving model. {@code extract} fills {@code rows} rows of features for that model's spec; it runs
     * under the same lock, so the rows always match the model that scores them.
     */
    public Scored score(RowExtractor extract) {
        while (true) {
            Attempt attempt;
            lock.readLock().lock();
            try {
                ScoringModel m = required();
                Extracted rows = extract.extract(m.metadata());
                attempt = attempt(m, rows.values(), rows.rows());
            } finally {
                lock.readLock().unlock();
            }
            if (attempt.scored() != null) {
                if (attempt.passed()) {
                    passProbation(attempt.model());
                }
                return inShadow(attempt.scored());
            }
            revert(attempt.model(), attempt.why());
        }
    }

    /** Lets the candidate in shadow, if any, score the same rows. */
    private Scored inShadow(Scored scored) {
        ShadowTrial trial = shadow;
        if (trial != null) {
            trial.observe(scored.model().featureSpec(), scored.features(), scored.batch().rows(), scored.batch(), scored.model());
        }
        return scored;
    }

    /**
     * Scores {@code rows} rows already extracted for {@code spec}, or returns null — without scoring — if the serving
     * model reads other features (a model with another spec was swapped in, or back, since they were extracted).
     */
    public Scored scoreRows(FeatureSpec spec, float[] values, int rows) {
        while (true) {
            Attempt attempt;
            lock.readLock().lock();
            try {
                ScoringModel m = required();
                if (!m.metadata().featureSpec().equals(spec)) {
                    return null;
                }
                attempt = attempt(m, values, rows);
            } finally {
                lock.readLock().unlock();
            }
            if (attempt.scored() != null) {
                if (attempt.passed()) {
                    passProbation(attempt.model());
                }
                return inShadow(attempt.scored());
            }
            revert(attempt.model(), attempt.why());
        }
    }

    /**
     * Either a result, or a model on probation that failed (and why): then the caller reverts and tries again.
     * {@code passed}: this batch completed the model's probation.
     */
    private record Attempt(Scored scored, ScoringModel model, String why, boolean passed) {
        Attempt(Scored scored, ScoringModel model, String why) {
            this(scored, model, why, false);
        }
    }

    private Attempt attempt(ScoringModel m, float[] values, int rows) {
        ModelMetadata meta = m.metadata();
        boolean onProbation = previous != null && probationLeft.get() > 0;
        ScoreBatch batch;
        try {
            batch = BatchScorer.score(m, values, rows);
        } catch (RuntimeException e) {
            if (onProbation) {
                return new Attempt(null, m, "scoring a batch of " + rows + " threw " + e.getMessage());
            }
            BatchScorer.Result isolated = BatchScorer.isolate(m, values, rows, e);
            log.warn("Model {} v{} failed on a batch of {} rows ({}); {} row(s) could not be scored and go to the dead-letter topic",
                    meta.modelId(), meta.version(), rows, e.getMessage(), isolated.faults().size());
            return new Attempt(new Scored(isolated.batch(), meta, values, isolated.faults()), null, null);
        }
        List<BatchScorer.Fault> faults = BatchScorer.nonFinite(batch, 0);
        if (!faults.isEmpty() && onProbation) {
            return new Attempt(null, m, faults.size() + " of " + rows + " rows scored non-finite (" + faults.get(0).message() + ")");
        }
        boolean passed = rows > 0 && onProbation && probationLeft.addAndGet(-rows) <= 0;
        return new Attempt(new Scored(batch, meta, values, faults), m, null, passed);
    }

    /** Probation over: the previous model will not be needed again. */
    private void passProbation(ScoringModel proven) {
        ScoringModel retired = null;
        lock.writeLock().lock();
        try {
            if (current == proven && previous != null) {
                retired = previous;
                previous = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (retired != null) {
            log.info("Model {} v{} passed probation; closed v{}", proven.metadata().modelId(), proven.metadata().version(),
                    retired.metadata().version());
            retired.close();
        }
    }

    /** Puts the previous model back in place of {@code bad} (if nobody did already) and retires {@code bad} for good. */
    private void revert(ScoringModel bad, String why) {
        ScoringModel restored;
        lock.writeLock().lock();
        try {
            if (current != bad || previous == null) {
                return; // another thread reverted it, or a swap replaced it: score again with whatever serves now
            }
            restored = previous;
            current = previous;
            previous = null;
            failed.add(bad.metadata().modelId() + " v" + bad.metadata().version());
        } finally {
            lock.writeLock().unlock();
        }
        log.warn("Model {} v{} failed on live data during probation ({}); reverted to v{}", bad.metadata().modelId(),
                bad.metadata().version(), why, restored.metadata().version());
        bad.close();
        events.reverted(bad.metadata(), restored.metadata(), why);
    }

    /** Fills feature rows for a model. */
    @FunctionalInterface
    public interface RowExtractor {
        Extracted extract(ModelMetadata model);
    }

    /** {@code rows} rows, row-major in {@code values}. */
    public record Extracted(float[] values, int rows) {
    }

    @Override
    public void close() {
        ShadowTrial trial = shadow;
        shadow = null;
        if (trial != null) {
            trial.model().close();
        }
        lock.writeLock().lock();
        try {
            if (current != null) {
                current.close();
                current = null;
            }
            if (previous != null) {
                previous.close();
                previous = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
