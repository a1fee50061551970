package dev.anomaly.trainer.retrain;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every decision of the retraining job, without Kafka, DL4J or a clock: whether an event calls for retraining, which
 * recent records to train on, and whether a candidate may be published. {@link RetrainJob} does the reading, training
 * and publishing around it.
 *
 * @param modelId             the model this job retrains
 * @param maxFalseAlarmFactor a candidate whose alert rate on held-back records exceeds this multiple of its target, or
 *                            falls below the target divided by it, is rejected
 * @param maxTrimmed          the largest share of the recent records the serving model may have alerted on for them
 *                            to be left out as anomalies; when more alerted, they are the majority: a regime shift,
 *                            kept
 * @param minSyntheticRecall  a candidate that flags less than this share of records pushed beyond the training range is
 *                            rejected
 * @param minRecords          fewest recent records worth training on
 */
public record RetrainPolicy(String modelId, double maxFalseAlarmFactor, double maxTrimmed, double minSyntheticRecall, int minRecords) {
    /** Share of the recent records held back (the newest) to check a candidate on data it never saw. */
    public static final double HELD_BACK_SHARE = 0.2;

    public static RetrainPolicy of(RetrainConfig config) {
        return new RetrainPolicy(config.modelId(), config.maxFalseAlarmFactor(), config.maxTrimmed(), config.minSyntheticRecall(), 500);
    }

    /** A release on the models topic as far as the policy cares. */
    public record Release(int version, String note) {
    }

    /** What started a retraining: a drift event, or nothing ({@code eventId} empty: scheduled or manual). */
    public record Trigger(Optional<String> eventId, String modelId, int modelVersion) {
        public static Trigger manual(String modelId) {
            return new Trigger(Optional.empty(), modelId, Integer.MAX_VALUE);
        }

        public String describe() {
            return eventId.map(id -> "drift event " + id).orElse("manual");
        }
    }

    /** Retrain from {@code current}, or skip for {@code reason}. */
    public sealed interface Decision {
        record Retrain(Release current) implements Decision {
        }

        record Skip(String reason) implements Decision {
        }
    }

    /**
     * Whether {@code trigger} calls for a new version given the releases so far: not for another model, not twice for
     * one event (its id is in an earlier release's note), not for an event about a version already replaced.
     *
     * @throws IllegalStateException when there is no release to retrain from
     */
    public Decision decide(Trigger trigger, List<Release> releases) {
        if (!trigger.modelId().equals(modelId)) {
            return new Decision.Skip("event is about model " + trigger.modelId());
        }
        Release current = releases.stream().max(Comparator.comparingInt(Release::version))
                .orElseThrow(() -> new IllegalStateException("No release of " + modelId + " to retrain from"));
        if (trigger.eventId().isPresent()) {
            String id = trigger.eventId().get();
            if (releases.stream().anyMatch(r -> r.note() != null && r.note().contains(id))) {
                return new Decision.Skip(trigger.describe() + " already produced a release");
            }
            if (trigger.modelVersion() < current.version()) {
                return new Decision.Skip(trigger.describe() + " is about v" + trigger.modelVersion() + "; v" + current.version() + " is newer");
            }
        }
        return new Decision.Retrain(current);
    }

    /**
     * Which recent records to leave out of the training data. Alerted records are anomalies or drift. Up to
     * {@code maxTrimmed} of the recent records alerting, they are anomalies — a burst of them, or records an attacker
     * produced, must not be learned as normal — and all are left out. Beyond it they are the majority of what arrives: a
     * regime shift, the new normal, and they are kept (leaving them out would train on the old regime, or on the least
     * unusual part of the new one, which then flags the rest). Whatever the share, records an operator confirmed as
     * false positives are kept and confirmed anomalies left out.
     *
     * @param alertedScores serving-model score per alerted recent record, by position
     * @param feedback      operators' verdicts by position: true = a real anomaly, false = a false positive
     */
    public java.util.Set<String> leaveOut(java.util.Map<String, Double> alertedScores, java.util.Map<String, Boolean> feedback, int recent) {
        java.util.Set<String> out = new java.util.HashSet<>();
        feedback.forEach((position, anomaly) -> {
            if (anomaly) {
                out.add(position);
            }
        });
        if (alertedScores.size() > maxTrimmed * recent) {
            return out; // a regime shift: the alerted records are the new normal
        }
        alertedScores.keySet().stream().filter(p -> !Boolean.FALSE.equals(feedback.get(p))).forEach(out::add);
        return out;
    }

    /** Why {@code records} recent records are too few to train on, if they are. */
    public Optional<String> tooFew(int records) {
        return records < minRecords ? Optional.of("only " + records + " recent records to train on (need " + minRecords + ")")
                : Optional.empty();
    }

    /** Index of the first held-back record among {@code records} recent ones in time order. */
    public static int heldBackFrom(int records) {
        return (int) (records * (1 - HELD_BACK_SHARE));
    }

    /** Why a candidate must not be published, if it must not. */
    public Optional<String> reject(double heldBackAlertRate, int heldBack, double target, double syntheticRecall) {
        if (heldBackAlertRate > maxFalseAlarmFactor * target) {
            return Optional.of(String.format("alert rate on held-back records %.4f exceeds %.1f x target %.4f", heldBackAlertRate,
                    maxFalseAlarmFactor, target));
        }
        // Too few alerts is as wrong as too many (a threshold that silences alerts), once enough were expected to tell.
        if (target * heldBack >= 10 && heldBackAlertRate < target / maxFalseAlarmFactor) {
            return Optional.of(String.format("alert rate on held-back records %.4f is below target %.4f / %.1f", heldBackAlertRate,
                    target, maxFalseAlarmFactor));
        }
        if (syntheticRecall < minSyntheticRecall) {
            return Optional.of(String.format("flags only %.3f of records pushed beyond the training range (need %.2f)", syntheticRecall,
                    minSyntheticRecall));
        }
        return Optional.empty();
    }
}
