package dev.anomaly.detector.episodes;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.AlertEpisode;
import dev.anomaly.schemas.avro.EpisodeState;
import dev.anomaly.schemas.avro.FeatureContribution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/** Folding alerts into an episode; pure functions over the Avro records, so the processor only stores and forwards. */
public final class Episodes {
    private Episodes() {
    }

    /** The episode an alert opens. */
    public static AlertEpisode open(Alert a) {
        String key = a.getEventKey() == null ? null : a.getEventKey();
        Map<String, Long> counts = new HashMap<>();
        count(counts, a);
        return AlertEpisode.newBuilder()
                .setEpisodeId((key == null ? "(no key)" : key) + "/" + a.getSourceTopic() + "-" + a.getSourcePartition() + "@" + a.getSourceOffset())
                .setState(EpisodeState.OPEN).setEventKey(key).setSourceTopic(a.getSourceTopic())
                .setFirstAlertTime(a.getEventTime()).setLastAlertTime(a.getEventTime()).setLastDetectedAt(a.getDetectedAt())
                .setAlerts(1).setPeakScore(a.getScore()).setPeakTime(a.getEventTime()).setPeakPartition(a.getSourcePartition())
                .setPeakOffset(a.getSourceOffset()).setThreshold(a.getThreshold()).setModelId(a.getModelId())
                .setModelVersion(a.getModelVersion()).setTopFeatures(new ArrayList<>(a.getTopFeatures())).setFeatureCounts(counts)
                .setCloseReason(null).build();
    }

    /** Whether {@code a} is too late after the episode's latest alert to belong to it (event time). */
    public static boolean afterGap(AlertEpisode e, Alert a, long gapMillis) {
        return a.getEventTime().toEpochMilli() - e.getLastAlertTime().toEpochMilli() > gapMillis;
    }

    /** The episode with {@code a} added; its state UPDATE when the count reaches a power of two, else unchanged. */
    public static AlertEpisode add(AlertEpisode e, Alert a) {
        AlertEpisode.Builder b = AlertEpisode.newBuilder(e).setAlerts(e.getAlerts() + 1)
                .setModelId(a.getModelId()).setModelVersion(a.getModelVersion());
        if (a.getEventTime().isAfter(e.getLastAlertTime())) {
            b.setLastAlertTime(a.getEventTime());
        }
        if (a.getDetectedAt().isAfter(e.getLastDetectedAt())) {
            b.setLastDetectedAt(a.getDetectedAt());
        }
        if (a.getScore() > e.getPeakScore()) {
            b.setPeakScore(a.getScore()).setPeakTime(a.getEventTime()).setPeakPartition(a.getSourcePartition())
                    .setPeakOffset(a.getSourceOffset()).setThreshold(a.getThreshold()).setTopFeatures(new ArrayList<>(a.getTopFeatures()));
        }
        Map<String, Long> counts = new HashMap<>(e.getFeatureCounts());
        count(counts, a);
        b.setFeatureCounts(counts);
        return b.build();
    }

    /** Whether an episode with this many alerts is reported (OPEN at 1, UPDATE at 2, 4, 8, ...): log2(n) records, not n. */
    public static boolean reported(long alerts) {
        return Long.bitCount(alerts) == 1;
    }

    public static AlertEpisode withState(AlertEpisode e, EpisodeState state) {
        return AlertEpisode.newBuilder(e).setState(state).build();
    }

    public static AlertEpisode closed(AlertEpisode e, String reason) {
        return AlertEpisode.newBuilder(e).setState(EpisodeState.CLOSED).setCloseReason(reason).build();
    }

    private static void count(Map<String, Long> counts, Alert a) {
        for (FeatureContribution f : a.getTopFeatures()) {
            counts.merge(f.getName(), 1L, Long::sum);
        }
    }
}
