package dev.anomaly.trainer.model;

/**
 * The outcome of training: the kept weights as arrays, the history, and DL4J's own forward pass of those weights
 * (the reference the ONNX export is checked against).
 */
public final class TrainedNetwork {
    private final NetworkWeights weights;
    private final TrainingHistory history;
    private final Dl4jNetwork network;

    TrainedNetwork(NetworkWeights weights, TrainingHistory history, Dl4jNetwork network) {
        this.weights = weights;
        this.history = history;
        this.network = network;
    }

    public NetworkWeights weights() {
        return weights;
    }

    public TrainingHistory history() {
        return history;
    }

    /** DL4J's forward pass on raw rows: {latent (code or mean), reconstruction mean in raw units}, row-major. */
    public float[][] dl4jForward(float[] raw, int rows) {
        Normalizer n = weights.normalizer();
        float[][] out = network.forward(n.apply(raw, rows), rows);
        float[] recon = out[1];
        int f = n.width();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < f; j++) {
                recon[i * f + j] = recon[i * f + j] * n.scale()[j] + n.center()[j];
            }
        }
        return out;
    }
}
