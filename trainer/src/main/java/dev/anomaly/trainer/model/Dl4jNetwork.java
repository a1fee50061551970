package dev.anomaly.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A DL4J network being trained on normalised rows; each {@link ModelFamily} builds its own. */
public interface Dl4jNetwork {
    /** One optimiser step on a minibatch: {@code input} (possibly corrupted) should reconstruct {@code target}. */
    void fitBatch(INDArray input, INDArray target);

    /** The training objective on held-out rows, deterministic. */
    double validationLoss(float[] z, int rows);

    /** Loss of the last minibatch step, as DL4J reports it. */
    double lastBatchScore();

    INDArray params();

    void setParams(INDArray params);

    /** The weights as plain arrays. */
    NetworkWeights weights(Normalizer normalizer);

    /** DL4J's own forward pass on normalised rows: {latent code or mean, reconstruction mean}, row-major. */
    float[][] forward(float[] z, int rows);
}
