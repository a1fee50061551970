package dev.anomaly.trainer;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.model.NativeMemory;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The long-lived retraining job gives DL4J's per-thread native memory back after each run. */
class NativeMemoryTest {
    @Test
    void shouldDestroyTheWorkspacesATrainingRunLeavesOnItsThread() {
        Dataset data = TestData.telemetry(3, 600, 0.0);
        TrainingConfig config = TrainingConfig.defaults(ModelFamilies.of(ModelKind.AE), data.width(), data.rows()).withEpochs(2);
        TrainingJob.run(data, config, "pumps", 1, ProgressListener.NONE);
        int held = NativeMemory.workspacesOfThisThread();
        NativeMemory.release();
        System.out.printf("workspaces after training: %d, after release: %d; JavaCPP native bytes now %,d%n",
                held, NativeMemory.workspacesOfThisThread(), NativeMemory.allocatedBytes());
        assertThat(held).as("training leaves workspaces on its thread").isPositive();
        assertThat(NativeMemory.workspacesOfThisThread()).isZero();
    }
}
