package dev.anomaly.detector.drift;

import dev.anomaly.detector.config.DriftSettings;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.avro.DriftMeasure;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
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
 * are compared with the model's training baseline by every {@link DriftStatistic} of {@link DriftStatistics}, and the alert rate with
 * the rate the threshold was calibrated for. When something passes its threshold, a {@link DriftEvent} is emitted,
 * at most one per {@code minInterval}. The window restarts when the model changes.
 */
public final class DriftMonitor implements BatchObserver {
    private static final Logger log = LoggerFactory.getLogger(DriftMonitor.class);

    private final DriftSettings settings;
    private final DetectorMetrics metrics;
    private final Clock clock;
    private final List<DriftStatistic> statistics;
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
        this.statistics = DriftStatistics.configured(settings);
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
            alerts += model.isAlert(batch.score()[r]) ? 1 : 0;
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
        var score = distribution("score", scores, BaselineCdf.of(p, baseline.scoreQuantiles()), fired);
        List<dev.anomaly.schemas.avro.DriftStatistic> perFeature = new ArrayList<>();
        for (int c = 0; c < columns.length; c++) {
            double[] q = baseline.featureQuantiles().get(columnNames.get(c));
            if (q == null) {
                continue;
            }
            perFeature.add(distribution(columnNames.get(c), values[c], BaselineCdf.of(p, q), fired));
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

    /** Every statistic of one distribution's window; {@code psi} and {@code ks} also in their own fields for older readers. */
    private dev.anomaly.schemas.avro.DriftStatistic distribution(String name, double[] window, BaselineCdf baseline, List<String> fired) {
        Window w = new Window(window, count);
        List<DriftMeasure> measures = new ArrayList<>();
        boolean any = false;
        double psi = Double.NaN;
        double ks = Double.NaN;
        for (DriftStatistic statistic : statistics) {
            DriftStatistic.Measurement m = statistic.measure(w, baseline);
            measures.add(new DriftMeasure(m.statistic(), m.value(), m.threshold(), m.fired()));
            metrics.driftStatistic(m.statistic(), name, m.value());
            any |= m.fired();
            psi = m.statistic().equals("psi") ? m.value() : psi;
            ks = m.statistic().equals("ks") ? m.value() : ks;
        }
        if (any) {
            fired.add(name);
        }
        return dev.anomaly.schemas.avro.DriftStatistic.newBuilder().setName(name).setPsi(psi).setKs(ks).setFired(any)
                .setMeasures(measures).build();
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
