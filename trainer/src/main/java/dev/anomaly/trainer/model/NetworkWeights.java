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
 */
public record NetworkWeights(ModelKind kind, Normalizer normalizer, List<DenseWeights> encoder, DenseWeights code,
                             DenseWeights codeLogVar, List<DenseWeights> decoder, DenseWeights output) {
    public NetworkWeights {
        encoder = List.copyOf(encoder);
        decoder = List.copyOf(decoder);
        int f = normalizer.width();
        int expectedOut = kind == ModelKind.VAE ? 2 * f : f;
        if ((kind == ModelKind.VAE) != (codeLogVar != null)) {
            throw new IllegalArgumentException("the VAE, and only the VAE, has a log-variance head");
        }
        if (output.out() != expectedOut) {
            throw new IllegalArgumentException(kind + " output layer has " + output.out() + " units, expected " + expectedOut);
        }
    }

    public int width() {
        return normalizer.width();
    }

    public int latent() {
        return code.out();
    }
}
