package dev.anomaly.trainer.model;

import dev.anomaly.schemas.avro.ModelKind;

import java.util.List;

/**
 * A trained network as plain arrays, independent of DL4J: what the ONNX export writes and the reference computation
 * runs.
 *
 * @param encoder hidden layers from the input to the code
 * @param family  the kind of network, with its own hyper-parameters; it reads the fields below
 * @param code    the code layer (linear), or the mean head of q(z|x)
 * @param codeLogVar the log-variance head of q(z|x), when the family has one ({@link ModelFamily#hasLatentLogVariance}); else null
 * @param decoder hidden layers from the code to the output
 * @param output  {@link ModelFamily#outputWidth} units: the reconstruction (and, for a Gaussian decoder, its log-variance)
 * @param latentCenter   statistics of the training codes the family may use (the AE measures its latent distance from
 *                       this mean); zeros when unused
 * @param latentInvScale 1 / spread of the training codes; ones when unused
 * @param reconstructionWeight scale of the reconstruction term (the AE: 1 / its training rows' mean error); 1 when unused
 * @param codebook       a vector-quantised family's codebook, row-major [K, k]; empty when the family has none
 */
public record NetworkWeights(ModelFamily family, Normalizer normalizer, List<DenseWeights> encoder, DenseWeights code,
                             DenseWeights codeLogVar, List<DenseWeights> decoder, DenseWeights output,
                             float[] latentCenter, float[] latentInvScale, float reconstructionWeight, float[] codebook) {
    public NetworkWeights {
        if (codebook.length % code.out() != 0) {
            throw new IllegalArgumentException("codebook of " + codebook.length + " values is not a whole number of codes of " + code.out());
        }
        encoder = List.copyOf(encoder);
        decoder = List.copyOf(decoder);
        int f = normalizer.width();
        int expectedOut = family.outputWidth(f);
        if (latentCenter.length != code.out() || latentInvScale.length != code.out()) {
            throw new IllegalArgumentException("latent statistics must have one value per latent unit");
        }
        if (family.hasLatentLogVariance() != (codeLogVar != null)) {
            throw new IllegalArgumentException(family.kind() + (family.hasLatentLogVariance() ? " needs" : " has no")
                    + " log-variance head for its code");
        }
        if (output.out() != expectedOut) {
            throw new IllegalArgumentException(family.kind() + " output layer has " + output.out() + " units, expected " + expectedOut);
        }
    }

    /** A network without a codebook. */
    public NetworkWeights(ModelFamily family, Normalizer normalizer, List<DenseWeights> encoder, DenseWeights code,
                          DenseWeights codeLogVar, List<DenseWeights> decoder, DenseWeights output,
                          float[] latentCenter, float[] latentInvScale, float reconstructionWeight) {
        this(family, normalizer, encoder, code, codeLogVar, decoder, output, latentCenter, latentInvScale, reconstructionWeight, new float[0]);
    }

    /** The same network with statistics of the training rows (AE: code mean and spread, reconstruction weight). */
    public NetworkWeights withTrainingStatistics(float[] center, float[] invScale, float reconstructionWeight) {
        return new NetworkWeights(family, normalizer, encoder, code, codeLogVar, decoder, output, center, invScale, reconstructionWeight, codebook);
    }

    public ModelKind kind() {
        return family.kind();
    }

    public int width() {
        return normalizer.width();
    }

    public int latent() {
        return code.out();
    }
}
