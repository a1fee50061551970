package dev.anomaly.trainer.model;

/** Told after every training epoch. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (epoch, maxEpochs, trainLoss, validationLoss, best, elapsedMillis) -> { };

    /**
     * @param epoch 1-based
     * @param best  true when this epoch has the best validation loss so far
     */
    void epoch(int epoch, int maxEpochs, double trainLoss, double validationLoss, boolean best, long elapsedMillis);
}
