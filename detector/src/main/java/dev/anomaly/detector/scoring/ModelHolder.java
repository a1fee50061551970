package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.schemas.model.ScoreBatch;
import dev.anomaly.schemas.model.ScoringModel;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * The model being served, shared by all stream threads. Scoring runs under a read lock, so a swap waits for batches
 * in flight, replaces the model between batches, and only then closes the old one.
 */
public final class ModelHolder implements AutoCloseable {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile ScoringModel current;
    private final Consumer<ModelMetadata> onSwap;

    public ModelHolder(Consumer<ModelMetadata> onSwap) {
        this.onSwap = onSwap;
    }

    public ModelHolder() {
        this(m -> { });
    }

    /** Metadata of the serving model, if any. */
    public Optional<ModelMetadata> metadata() {
        ScoringModel m = current;
        return m == null ? Optional.empty() : Optional.of(m.metadata());
    }

    /** Installs {@code next}; the previous model is closed once no batch uses it. */
    public void swap(ScoringModel next) {
        ScoringModel old;
        lock.writeLock().lock();
        try {
            old = current;
            current = next;
        } finally {
            lock.writeLock().unlock();
        }
        if (old != null) {
            old.close();
        }
        onSwap.accept(next.metadata());
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
     * model's threshold (the alerts) carry expected values and contributions.
     */
    public record Scored(ScoreBatch batch, ModelMetadata model, float[] features) {
    }

    /**
     * Scores with the serving model. {@code extract} fills {@code rows} rows of features for that model's spec; it runs
     * under the same lock, so the rows always match the model that scores them.
     */
    public Scored score(RowExtractor extract) {
        lock.readLock().lock();
        try {
            ScoringModel m = required();
            Extracted rows = extract.extract(m.metadata());
            return scoreWith(m, rows.values(), rows.rows());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Scores {@code rows} rows already extracted for {@code spec}, or returns null — without scoring — if the serving
     * model reads other features (a model with another spec was swapped in since they were extracted).
     */
    public Scored scoreRows(FeatureSpec spec, float[] values, int rows) {
        lock.readLock().lock();
        try {
            ScoringModel m = required();
            if (!m.metadata().featureSpec().equals(spec)) {
                return null;
            }
            return scoreWith(m, values, rows);
        } finally {
            lock.readLock().unlock();
        }
    }

    private static Scored scoreWith(ScoringModel m, float[] values, int rows) {
        ScoreBatch batch = rows == 0 ? new ScoreBatch(0, m.width(), new float[0], new float[0], new float[0])
                : m.scoreExplainingAbove(values, rows, m.metadata().threshold());
        return new Scored(batch, m.metadata(), values);
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
        lock.writeLock().lock();
        try {
            if (current != null) {
                current.close();
                current = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
