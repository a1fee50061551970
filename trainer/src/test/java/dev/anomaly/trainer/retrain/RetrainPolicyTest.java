package dev.anomaly.trainer.retrain;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrainPolicyTest {
    private final RetrainPolicy policy = new RetrainPolicy("pumps", 3.0, 0.5, 0.9, 500);
    private final List<RetrainPolicy.Release> releases = List.of(new RetrainPolicy.Release(1, "initial"),
            new RetrainPolicy.Release(2, "drift event e-1; held-back alert rate 0.0100"));

    private static RetrainPolicy.Trigger event(String id, String model, int version) {
        return new RetrainPolicy.Trigger(Optional.of(id), model, version);
    }

    @Test
    void shouldRetrainFromTheNewestReleaseOnAFreshEventAboutIt() {
        RetrainPolicy.Decision d = policy.decide(event("e-2", "pumps", 2), releases);

        assertThat(d).isEqualTo(new RetrainPolicy.Decision.Retrain(new RetrainPolicy.Release(2, releases.get(1).note())));
        assertThat(policy.decide(RetrainPolicy.Trigger.manual("pumps"), releases)).isInstanceOf(RetrainPolicy.Decision.Retrain.class);
    }

    @Test
    void shouldSkipAnEventAboutAnotherModelAnEventAlreadyHandledAndAnEventAboutAReplacedVersion() {
        assertThat(policy.decide(event("e-3", "fans", 2), releases)).isEqualTo(new RetrainPolicy.Decision.Skip("event is about model fans"));
        assertThat(policy.decide(event("e-1", "pumps", 1), releases))
                .isEqualTo(new RetrainPolicy.Decision.Skip("drift event e-1 already produced a release"));
        assertThat(policy.decide(event("e-4", "pumps", 1), releases))
                .isEqualTo(new RetrainPolicy.Decision.Skip("drift event e-4 is about v1; v2 is newer"));
    }

    @Test
    void shouldRefuseToRetrainWithoutARelease() {
        assertThatThrownBy(() -> policy.decide(event("e-1", "pumps", 1), List.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("No release of pumps");
    }

    @Test
    void shouldLeaveOutAlertedRecordsUnlessTheyAreTheMajority() {
        java.util.Map<String, Double> thirty = new java.util.HashMap<>(); // 30 % of 1,000 alerted: a burst of anomalies
        for (int i = 0; i < 300; i++) {
            thirty.put("0@" + i, 10.0 + i);
        }
        assertThat(policy.leaveOut(thirty, java.util.Map.of(), 1000)).as("all of a 30 % contamination").hasSize(300);

        java.util.Map<String, Double> most = new java.util.HashMap<>(); // a regime shift: most records alert
        for (int i = 0; i < 880; i++) {
            most.put("0@" + i, (double) i);
        }
        assertThat(policy.leaveOut(most, java.util.Map.of(), 1000)).as("88 %: the new normal, kept").isEmpty();
        assertThat(policy.leaveOut(most, java.util.Map.of("0@3", true), 1000)).as("but a confirmed anomaly goes").containsExactly("0@3");
        assertThat(policy.leaveOut(java.util.Map.of(), java.util.Map.of(), 0)).isEmpty();
    }

    @Test
    void shouldFollowOperatorsVerdicts() {
        java.util.Map<String, Double> alerted = java.util.Map.of("0@1", 50.0, "0@2", 40.0);
        java.util.Map<String, Boolean> verdicts = java.util.Map.of("0@1", false, "0@7", true); // 0@1 a false positive; 0@7 missed

        assertThat(policy.leaveOut(alerted, verdicts, 1000)).containsExactlyInAnyOrder("0@2", "0@7");
    }

    @Test
    void shouldRejectACandidateThatAlertsFarTooLittleOnceEnoughAlertsWereExpected() {
        assertThat(policy.reject(0.001, 2000, 0.01, 1.0)).hasValueSatisfying(r -> assertThat(r).contains("below target"));
        assertThat(policy.reject(0.0, 500, 0.01, 1.0)).as("5 alerts expected: too few to tell").isEmpty();
        assertThat(policy.reject(0.01, 2000, 0.01, 1.0)).isEmpty();
    }

    @Test
    void shouldNeedEnoughRecentRecordsAndHoldBackTheNewestFifth() {
        assertThat(policy.tooFew(499)).contains("only 499 recent records to train on (need 500)");
        assertThat(policy.tooFew(500)).isEmpty();
        assertThat(RetrainPolicy.heldBackFrom(1000)).isEqualTo(800);
    }

    @Test
    void shouldPublishOnlyACandidateThatKeepsItsAlertRateAndFlagsRecordsBeyondTheTrainingRange() {
        assertThat(policy.reject(0.02, 1000, 0.01, 0.95)).isEmpty();
        assertThat(policy.reject(0.05, 1000, 0.01, 0.95)).contains("alert rate on held-back records 0.0500 exceeds 3.0 x target 0.0100");
        assertThat(policy.reject(0.02, 1000, 0.01, 0.5)).contains("flags only 0.500 of records pushed beyond the training range (need 0.90)");
    }
}
