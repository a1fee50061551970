package dev.anomaly.trainer.model;

import java.util.List;

/**
 * Loss per epoch and where training stopped.
 *
 * @param bestEpoch 1-based epoch whose weights were kept
 */
public record TrainingHistory(List<Double> trainLoss, List<Double> validationLoss, int bestEpoch, boolean stoppedEarly,
                              double secondsPerEpoch) {
    public TrainingHistory {
        trainLoss = List.copyOf(trainLoss);
        validationLoss = List.copyOf(validationLoss);
    }

    public int epochs() {
        return trainLoss.size();
    }
}
