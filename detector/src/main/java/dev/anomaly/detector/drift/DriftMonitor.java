package dev.anomaly.detector.drift;

import dev.anomaly.detector.config.DriftSettings;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.avro.DriftStatistic;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.schemas.model.ScoreBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Watches one stream task's scored records: per window of {@code windowRecords} (or {@code windowTime} of event
 * time), the score and every numeric feature
 * are compared with the model's training baseline (PSI and KS, see {@link DriftStatistics}), and the alert rate with
 * the rate the threshold was calibrated for. When something passes its threshold, a {@link DriftEvent} is emitted,
 * at most one per {@code minInterval}. The window restarts when the model changes.
 */
public final class DriftMonitor implements BatchObserver {
    private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);

    private final DriftSettings settings;
    private final DetectorMetrics metrics;
    private final Clock clock;
    private String modelKey = "";
    private int[] columns = new int[0];
    private List<String> columnNames = List.of();
    private double[] scores;
    private double[][] values;
    private int count;
    private int alerts;
    private long windowStart = Long.MAX_VALUE;
    private long windowEnd = Long.MIN_VALUE;
    private long lastEventAt = Long.MIN_VALUE;

    public DriftMonitor(DriftSettings settings, DetectorMetrics metrics, Clock clock) {
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public List<DriftEvent> observe(ModelMetadata model, float[] features, ScoreBatch batch, long[] timestamps) {
        String key = model.modelId() + "/" + model.version();
        if (!key.equals(modelKey)) {
            reset(model);
            modelKey = key;
        }
        List<DriftEvent> events = new ArrayList<>();
        int w = batch.columns();
        for (int r = 0; r < batch.rows(); r++) {
            scores[count] = batch.score()[r];
            for (int c = 0; c < columns.length; c++) {
                values[c][count] = features[r * w + columns[c]];
            }
            alerts += batch.score()[r] > model.threshold() ? 1 : 0;
            windowStart = Math.min(windowStart, timestamps[r]);
            windowEnd = Math.max(windowEnd, timestamps[r]);
            count++;
            boolean byTime = !settings.windowTime().isZero() && count >= 100
                    && windowEnd - windowStart >= settings.windowTime().toMillis();
            if (count == settings.windowRecords() || byTime) {
                evaluate(model).ifPresent(events::add);
                clearWindow();
            }
        }
        return events;
    }

    private java.util.Optional<DriftEvent> evaluate(ModelMetadata model) {
        var baseline = model.baseline();
        double[] p = baseline.probabilities();
        List<String> fired = new ArrayList<>();
        double[] s = DriftStatistics.psiAndKs(scores, p, baseline.scoreQuantiles());
        DriftStatistic score = statistic("score", s, fired);
        List<DriftStatistic> perFeature = new ArrayList<>();
        for (int c = 0; c < columns.length; c++) {
            double[] q = baseline.featureQuantiles().get(columnNames.get(c));
            if (q == null) {
                continue;
            }
            perFeature.add(statistic(columnNames.get(c), DriftStatistics.psiAndKs(values[c], p, q), fired));
        }
        double alertRate = (double) alerts / count;
        double expected = Double.isFinite(model.falseAlarmRate()) ? model.falseAlarmRate() : 0.01;
        if (alertRate > settings.alertRateFactor() * expected) {
            fired.add("alert_rate");
        }
        metrics.driftStatistic("alert_rate", "window", alertRate);
        if (fired.isEmpty()) {
            return java.util.Optional.empty();
        }
        long now = clock.millis();
        if (lastEventAt != Long.MIN_VALUE && now - lastEventAt < settings.minInterval().toMillis()) {
            log.debug("Drift in {} but an event was sent {} ms ago; not repeating", fired, now - lastEventAt);
            return java.util.Optional.empty();
        }
        lastEventAt = now;
        log.warn("Drift detected for model {} v{} over {} records: {} (alert rate {} vs expected {})", model.modelId(), model.version(),
                count, fired, alertRate, expected);
        return java.util.Optional.of(DriftEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setModelId(model.modelId())
                .setModelVersion(model.version())
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setWindowRecords(count)
                .setScore(score)
                .setFeatures(perFeature)
                .setAlertRate(alertRate)
                .setExpectedAlertRate(expected)
                .setFired(fired)
                .setDetectedAt(Instant.ofEpochMilli(now))
                .build());
    }

    private DriftStatistic statistic(String name, double[] psiKs, List<String> fired) {
        boolean f = psiKs[0] > settings.psiThreshold() || psiKs[1] > settings.ksThreshold();
        if (f) {
            fired.add(name);
        }
        metrics.driftStatistic("psi", name, psiKs[0]);
        metrics.driftStatistic("ks", name, psiKs[1]);
        return DriftStatistic.newBuilder().setName(name).setPsi(psiKs[0]).setKs(psiKs[1]).setFired(f).build();
    }

    private void reset(ModelMetadata model) {
        List<Integer> cols = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int col = 0;
        for (Feature f : model.featureSpec().features()) {
            if (f.type() == FeatureType.NUMERIC) {
                cols.add(col);
                names.add(f.name());
            }
            col += f.width();
        }
        columns = cols.stream().mapToInt(Integer::intValue).toArray();
        columnNames = names;
        scores = new double[settings.windowRecords()];
        values = new double[columns.length][settings.windowRecords()];
        clearWindow();
    }

    private void clearWindow() {
        count = 0;
        alerts = 0;
        windowStart = Long.MAX_VALUE;
        windowEnd = Long.MIN_VALUE;
    }
}
