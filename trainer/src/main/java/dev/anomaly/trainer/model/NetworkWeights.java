package dev.anomaly.trainer.model;

import dev.anomaly.schemas.avro.ModelKind;

import java.util.List;

/**
 * A trained network as plain arrays, independent of DL4J: what the ONNX export writes and the reference computation
 * runs.
 *
 * @param encoder hidden layers from the input to the code
 * @param code    AE: the code layer (linear); VAE: the mean head of q(z|x)
 * @param codeLogVar VAE: the log-variance head of q(z|x); null for the AE
 * @param decoder hidden layers from the code to the output
 * @param output  AE: F reconstructed values; VAE: 2F values, the mean then the log-variance of p(x|z)
 * @param latentCenter   AE: mean of the training codes (the latent distance is measured from it); VAE: zeros
 * @param latentInvScale AE: 1 / standard deviation of the training codes; VAE: ones (its prior is N(0, I))
 * @param reconstructionWeight AE: 1 / mean reconstruction error (MSE) of the training rows, so that a typical record's
 *                       reconstruction term is about 1, like its latent term; VAE: 1 (both terms are in nats)
 */
public record NetworkWeights(ModelKind kind, Normalizer normalizer, List<DenseWeights> encoder, DenseWeights code,
                             DenseWeights codeLogVar, List<DenseWeights> decoder, DenseWeights output,
                             float[] latentCenter, float[] latentInvScale, float reconstructionWeight) {
    public NetworkWeights {
        encoder = List.copyOf(encoder);
        decoder = List.copyOf(decoder);
        int f = normalizer.width();
        int expectedOut = kind == ModelKind.VAE ? 2 * f : f;
        if (latentCenter.length != code.out() || latentInvScale.length != code.out()) {
            throw new IllegalArgumentException("latent statistics must have one value per latent unit");
        }
        if ((kind == ModelKind.VAE) != (codeLogVar != null)) {
            throw new IllegalArgumentException("the VAE, and only the VAE, has a log-variance head");
        }
        if (output.out() != expectedOut) {
            throw new IllegalArgumentException(kind + " output layer has " + output.out() + " units, expected " + expectedOut);
        }
    }

    /** The same network with statistics of the training rows (AE: code mean and spread, reconstruction weight). */
    public NetworkWeights withTrainingStatistics(float[] center, float[] invScale, float reconstructionWeight) {
        return new NetworkWeights(kind, normalizer, encoder, code, codeLogVar, decoder, output, center, invScale, reconstructionWeight);
    }

    public int width() {
        return normalizer.width();
    }

    public int latent() {
        return code.out();
    }
}
