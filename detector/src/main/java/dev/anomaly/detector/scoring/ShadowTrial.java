package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.BatchScorer;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringModel;

import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * A candidate model scoring beside the serving one, on the same batches, raising no alerts of its own. After
 * {@code records} records its alert rate is compared with its own target (its false-alarm rate): within a factor of
 * {@code maxFactor} either way (the lower bound once ten alerts were expected) it is promoted, otherwise rejected. A
 * candidate that throws or scores a non-finite value is rejected at once. The serving model's alert rate on the same
 * records is reported beside it.
 */
public final class ShadowTrial {
    /** How a trial ended: promoted or not, and the figures. */
    public record Verdict(boolean promote, String summary) {
    }

    private final ScoringModel candidate;
    private final long records;
    private final double maxFactor;
    private final BiConsumer<ShadowTrial, Verdict> done;
    private long scored;
    private long alerts;
    private long servingAlerts;
    private int servingVersion;
    private boolean finished;

    public ShadowTrial(ScoringModel candidate, long records, double maxFactor, BiConsumer<ShadowTrial, Verdict> done) {
        this.candidate = candidate;
        this.records = records;
        this.maxFactor = maxFactor;
        this.done = done;
    }

    public ModelMetadata metadata() {
        return candidate.metadata();
    }

    ScoringModel model() {
        return candidate;
    }

    /** Records scored so far and the candidate's alert rate on them. */
    public synchronized long scored() {
        return scored;
    }

    public synchronized double alertRate() {
        return scored == 0 ? 0 : (double) alerts / scored;
    }

    /**
     * Scores the rows the serving model just scored (if the candidate reads the same features) and decides once enough
     * were seen. The decision is handed to the callback outside this object's lock.
     */
    void observe(FeatureSpec spec, float[] values, int rows, ScoreBatch serving, ModelMetadata servingModel) {
        Verdict verdict = null;
        synchronized (this) {
            if (finished || rows == 0 || !spec.equals(candidate.metadata().featureSpec())) {
                return;
            }
            ModelMetadata m = candidate.metadata();
            servingVersion = servingModel.version();
            try {
                ScoreBatch s = BatchScorer.score(candidate, values, rows);
                for (int i = 0; i < rows; i++) {
                    float v = s.score()[i];
                    if (!Float.isFinite(v)) {
                        verdict = new Verdict(false, "scored a non-finite value in shadow");
                        break;
                    }
                    alerts += m.isAlert(v) ? 1 : 0;
                    servingAlerts += servingModel.isAlert(serving.score()[i]) ? 1 : 0;
                }
            } catch (RuntimeException e) {
                verdict = new Verdict(false, "failed in shadow: " + e.getMessage());
            }
            if (verdict == null) {
                scored += rows;
                if (scored >= records) {
                    verdict = decide(m);
                }
            }
            if (verdict != null) {
                finished = true;
            }
        }
        if (verdict != null) {
            done.accept(this, verdict);
        }
    }

    private Verdict decide(ModelMetadata m) {
        double rate = (double) alerts / scored;
        double target = m.falseAlarmRate();
        String figures = String.format(Locale.ROOT, "in shadow on %d records: alert rate %.4f (target %.4f; serving v%d %.4f)",
                scored, rate, target, servingVersion, (double) servingAlerts / scored);
        if (rate > maxFactor * target) {
            return new Verdict(false, figures + String.format(Locale.ROOT, ": above %.1f x target", maxFactor));
        }
        if (target * scored >= 10 && rate < target / maxFactor) {
            return new Verdict(false, figures + String.format(Locale.ROOT, ": below target / %.1f", maxFactor));
        }
        return new Verdict(true, figures);
    }
}
