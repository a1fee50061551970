package dev.anomaly.trainer.retrain;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrainPolicyTest {
    private final RetrainPolicy policy = new RetrainPolicy("pumps", 3.0, 0.9, 500);
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
    void shouldLeaveOutAlertedRecordsUnlessSoManyAlertThatTheyAreTheNewNormal() {
        assertThat(policy.leaveOutAlerted(200, 10_000, 0.01)).as("2 %: anomalies").isTrue();
        assertThat(policy.leaveOutAlerted(300, 10_000, 0.01)).as("exactly 3 x target").isTrue();
        assertThat(policy.leaveOutAlerted(4_000, 10_000, 0.01)).as("40 %: a regime shift").isFalse();
        assertThat(policy.leaveOutAlerted(0, 0, 0.01)).isTrue();
    }

    @Test
    void shouldNeedEnoughRecentRecordsAndHoldBackTheNewestFifth() {
        assertThat(policy.tooFew(499)).contains("only 499 recent records to train on (need 500)");
        assertThat(policy.tooFew(500)).isEmpty();
        assertThat(RetrainPolicy.heldBackFrom(1000)).isEqualTo(800);
    }

    @Test
    void shouldPublishOnlyACandidateThatKeepsItsAlertRateAndFlagsRecordsBeyondTheTrainingRange() {
        assertThat(policy.reject(0.02, 0.01, 0.95)).isEmpty();
        assertThat(policy.reject(0.05, 0.01, 0.95)).contains("alert rate on held-back records 0.0500 exceeds 3.0 x target 0.0100");
        assertThat(policy.reject(0.02, 0.01, 0.5)).contains("flags only 0.500 of records pushed beyond the training range (need 0.90)");
    }
}
