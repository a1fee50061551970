package dev.anomaly.trainer.model;

import java.util.SplittableRandom;

/**
 * A family whose latent space is regularised towards a known prior, so that codes drawn from it (or between two
 * records' codes) decode to plausible records: the VAE. A plain autoencoder is not one: its codes sit wherever training
 * put them, and a random code decodes to an arbitrary record.
 */
public interface GenerativeFamily extends ModelFamily {

    /** {@code rows} codes drawn from the prior of {@code net}, row-major [rows, k]. */
    float[] prior(NetworkWeights net, int rows, SplittableRandom random);

    /**
     * Decodes codes to records in normalised units [rows, F]: the decoder's mean, or, with {@code noise}, a draw from
     * the decoder's distribution around it.
     *
     * @param given normalised rows [rows, F] whose {@link #conditionColumns} the decoder reads and the result keeps;
     *              unused (may be null) when the family has no condition
     */
    float[] decode(NetworkWeights net, float[] latent, float[] given, int rows, SplittableRandom noise);

    /** The input columns the model is conditioned on (given, never generated); none by default. */
    default int[] conditionColumns() {
        return new int[0];
    }
}
