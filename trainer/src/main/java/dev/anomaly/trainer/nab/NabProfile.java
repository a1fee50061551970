package dev.anomaly.trainer.nab;

import java.util.List;

/**
 * The weights of a NAB scoring profile: a true positive's reward, a false positive's cost and a missed window's cost.
 */
public record NabProfile(String name, double truePositive, double falsePositive, double falseNegative) {
    public static final NabProfile STANDARD = new NabProfile("standard", 1, 0.11, 1);
    public static final NabProfile REWARD_LOW_FP = new NabProfile("reward_low_FP_rate", 1, 0.22, 1);
    public static final NabProfile REWARD_LOW_FN = new NabProfile("reward_low_FN_rate", 1, 0.11, 2);

    public static List<NabProfile> all() {
        return List.of(STANDARD, REWARD_LOW_FP, REWARD_LOW_FN);
    }
}
