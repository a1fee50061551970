package dev.anomaly.trainer.lifecycle;

import dev.anomaly.schemas.avro.Feedback;
import dev.anomaly.schemas.avro.FeedbackVerdict;
import dev.anomaly.schemas.avro.ModelEvent;
import dev.anomaly.schemas.avro.ModelEventType;
import dev.anomaly.schemas.avro.ModelRelease;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The releases on the models topic with what detectors did with each, from the model events topic: serving (the version
 * detectors last reported serving), shadow (scoring beside it before it may serve), retired (served before, replaced
 * since), rejected (with the reason), reverted (failed on live data), or published (no detector has reported on it yet).
 */
public record ModelHistory(List<Entry> entries, List<Feedback> feedback) {
    public enum State { SERVING, SHADOW, RETIRED, REJECTED, REVERTED, PUBLISHED }

    /** One release and its state; {@code detail} is the latest rejection or revert reason, if any. */
    public record Entry(ModelRelease release, State state, Optional<String> detail) {
        public String signer() {
            return release.getSignature() == null ? "unsigned" : release.getSignature().getKeyId();
        }
    }

    /** {@code releases} in topic order (a version published twice counts once, as last published). */
    public static ModelHistory of(List<ModelRelease> releases, List<ModelEvent> events) {
        return of(releases, events, List.of());
    }

    /** As {@link #of(List, List)}, with operators' verdicts on the alerts, for precision. */
    public static ModelHistory of(List<ModelRelease> releases, List<ModelEvent> events, List<Feedback> feedback) {
        Map<String, ModelRelease> byVersion = new LinkedHashMap<>();
        for (ModelRelease r : releases) {
            byVersion.put(r.getModelId() + "\u0000" + r.getVersion(), r);
        }
        Map<String, Integer> serving = new LinkedHashMap<>();
        for (ModelEvent e : events) {
            if (e.getEvent() == ModelEventType.SERVING && e.getModelId() != null && e.getVersion() != null) {
                serving.put(e.getModelId(), e.getVersion());
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (ModelRelease r : byVersion.values()) {
            List<ModelEvent> own = events.stream().filter(e -> r.getModelId().equals(e.getModelId())
                    && Objects.equals(e.getVersion(), r.getVersion())).toList();
            Optional<String> reason = own.stream().filter(e -> e.getReason() != null).reduce((a, b) -> b).map(ModelEvent::getReason);
            State state;
            if (own.stream().anyMatch(e -> e.getEvent() == ModelEventType.REVERTED)) {
                state = State.REVERTED;
            } else if (own.stream().anyMatch(e -> e.getEvent() == ModelEventType.SERVING)) {
                state = Objects.equals(serving.get(r.getModelId()), r.getVersion()) ? State.SERVING : State.RETIRED;
            } else if (own.stream().anyMatch(e -> e.getEvent() == ModelEventType.REJECTED)) {
                state = State.REJECTED;
            } else if (own.stream().anyMatch(e -> e.getEvent() == ModelEventType.SHADOW)) {
                state = State.SHADOW;
            } else {
                state = State.PUBLISHED;
            }
            entries.add(new Entry(r, state, state == State.REJECTED || state == State.REVERTED ? reason : Optional.empty()));
        }
        entries.sort(Comparator.comparing((Entry e) -> e.release().getModelId()).thenComparingInt(e -> e.release().getVersion()));
        return new ModelHistory(entries, List.copyOf(feedback));
    }

    /** Verdicts on the alerts of a version: true positives and all, each alert counted once (its latest verdict). */
    public record Precision(long truePositives, long judged) {
        public double value() {
            return judged == 0 ? Double.NaN : (double) truePositives / judged;
        }
    }

    public Precision precision(String modelId, int version) {
        Map<String, Boolean> latest = new LinkedHashMap<>();
        for (Feedback f : feedback) {
            if (modelId.equals(f.getModelId()) && Objects.equals(f.getModelVersion(), version)) {
                latest.put(f.getSourceTopic() + "-" + f.getSourcePartition() + "@" + f.getSourceOffset(),
                        f.getVerdict() == FeedbackVerdict.TRUE_POSITIVE);
            }
        }
        return new Precision(latest.values().stream().filter(b -> b).count(), latest.size());
    }

    public List<Entry> of(String modelId) {
        return entries.stream().filter(e -> e.release().getModelId().equals(modelId)).toList();
    }

    public Optional<Entry> find(String modelId, int version) {
        return of(modelId).stream().filter(e -> e.release().getVersion() == version).findFirst();
    }

    /** The highest version of {@code modelId} on the topic. */
    public int latestVersion(String modelId) {
        return of(modelId).stream().mapToInt(e -> e.release().getVersion()).max().orElse(0);
    }
}
