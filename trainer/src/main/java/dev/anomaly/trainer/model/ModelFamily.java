package dev.anomaly.trainer.model;

import dev.anomaly.schemas.avro.ModelKind;

import java.util.Map;

/**
 * One kind of autoencoder, everything about it in one place: how it trains on DL4J, what its score is (in plain Java
 * for the parity check, and as ONNX nodes for the export) and which hyper-parameters of its own it has.
 * <p>
 * An implementation is a value carrying its own hyper-parameters (a record), so a {@link TrainingConfig} or a
 * {@link NetworkWeights} that holds one knows both what to do and with which settings. The shared parts (normalising,
 * the encoder and decoder stacks, contributions, expected values) stay in {@link ReferenceScorer},
 * {@code OnnxExporter} and {@link NetworkTrainer}; a family supplies only its two score terms.
 * Implementations are registered by {@link ModelKind} in {@code dev.anomaly.trainer.family.ModelFamilies}.
 */
public interface ModelFamily {

    ModelKind kind();

    /**
     * This family's own hyper-parameters as text, written into the model's metadata and read back by
     * {@code ModelFamilies.of}; the shared ones (layers, optimiser, scaling) are in {@link TrainingConfig}.
     */
    Map<String, String> parameters();

    /** Every hyper-parameter this family has, including those {@link #parameters()} leaves out while off. */
    default java.util.Set<String> parameterNames() {
        return parameters().keySet();
    }

    /** Hidden-layer activation when none is given. */
    Activation defaultActivation();

    /** Training input noise (normalised units) when none is given. */
    double defaultDenoise();

    /** A fresh DL4J network for {@code width} normalised inputs, seeded from {@code config}. */
    Dl4jNetwork network(int width, TrainingConfig config);

    /** Units of the output layer for {@code features} inputs (the reconstruction, and any variance head). */
    int outputWidth(int features);

    /** Whether the code has a log-variance head beside its mean (a Gaussian q(z|x)). */
    boolean hasLatentLogVariance();

    /**
     * The weights after training, with whatever this family measures on the normalised training rows {@code z}
     * (the AE: its codes' spread and mean error). Default: unchanged.
     */
    default NetworkWeights withTrainingStatistics(NetworkWeights weights, Dl4jNetwork network, float[] z, int rows) {
        return weights;
    }

    /**
     * The data this family trains on, from the data it is given: the conditional VAE cuts a numeric condition into
     * buckets. Default: unchanged. Called before {@link #forSpec}.
     */
    default dev.anomaly.trainer.data.Dataset prepare(dev.anomaly.trainer.data.Dataset data) {
        return data;
    }

    /**
     * This family bound to the columns of the data it will train on (a conditional family finds its condition's
     * one-hot columns); a clear error when the data cannot serve it. Default: unchanged.
     */
    default ModelFamily forSpec(dev.anomaly.schemas.features.FeatureSpec spec) {
        return this;
    }

    /**
     * What the decoder reads, given the normalised inputs {@code z} [rows, F] and the code [rows, k]: the code itself,
     * unless the family adds to it (the conditional VAE appends its condition columns).
     */
    default float[] decoderInput(NetworkWeights net, float[] z, float[] latent, int rows) {
        return latent;
    }

    /** {@link #decoderInput} as ONNX nodes. */
    default String decoderInput(OnnxGraph g, NetworkWeights net, String z, String latent) {
        return latent;
    }

    /**
     * The score's two terms in double precision, the definition the ONNX graph must match.
     *
     * @param z      normalised inputs [rows, F]
     * @param hidden the last encoder layer's activations [rows, H]
     * @param latent the code (or the mean of q(z|x)) [rows, k]
     * @param output the output layer [rows, {@link #outputWidth}]
     */
    ScoreTerms reference(NetworkWeights net, float[] z, float[] hidden, float[] latent, float[] output, int rows);

    /** The same two terms as ONNX nodes, given the names of the tensors {@link #reference} receives. */
    GraphTerms graph(OnnxGraph g, NetworkWeights net, String z, String hidden, String latent, String output);

    /**
     * @param latentTerm     per row: the latent term L of the score
     * @param reconstruction per cell: the reconstruction term e of each feature
     * @param mean           per cell: the reconstruction's mean, in normalised units
     */
    record ScoreTerms(double[] latentTerm, double[] reconstruction, float[] mean) {
    }

    /**
     * Tensor names: {@code latentTerm} [N, 1], {@code reconstruction} [N, F], {@code mean} [N, F] (normalised units).
     */
    record GraphTerms(String latentTerm, String reconstruction, String mean) {
    }
}
