package dev.anomaly.trainer.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Everything that determines a training run. With the same data and config, training is reproducible.
 *
 * @param family            the kind of network, with its own hyper-parameters (the AE's sparsity, the VAE's beta, ...)
 * @param hidden            encoder hidden layer sizes, outermost first; the decoder mirrors them
 * @param latent            size of the code (AE) or latent space (VAE)
 * @param denoise           standard deviation of Gaussian noise added to normalised inputs during training (0 = off);
 *                          the VAE defaults to 0.05: on discrete-valued columns a Gaussian decoder otherwise drives its
 *                          variance to zero and its likelihood to infinity (the noise "dequantises" the data)
 * @param validationFraction share of rows held out for early stopping and threshold calibration
 * @param patience          epochs without validation improvement before stopping
 * @param falseAlarmRate    threshold = this upper quantile of held-out scores
 * @param contamination     when set, overrides falseAlarmRate: the expected anomaly share of the training data
 */
public record TrainingConfig(ModelFamily family, int[] hidden, int latent, Activation activation, int epochs, int batchSize,
                             double learningRate, double weightDecay, double validationFraction, int patience, long seed,
                             double denoise, Scaling scaling, double falseAlarmRate,
                             OptionalDouble contamination) {

    public TrainingConfig {
        hidden = hidden.clone();
        require(hidden.length >= 1 && Arrays.stream(hidden).allMatch(h -> h >= 1), "hidden sizes must be >= 1");
        require(latent >= 1, "latent size must be >= 1");
        require(epochs >= 1, "epochs must be >= 1");
        require(batchSize >= 1, "batch size must be >= 1");
        require(learningRate > 0 && learningRate < 1, "learning rate must be in (0, 1)");
        require(weightDecay >= 0, "weight decay must be >= 0");
        require(validationFraction > 0 && validationFraction < 0.9, "validation fraction must be in (0, 0.9)");
        require(patience >= 1, "patience must be >= 1");
        require(denoise >= 0, "denoise noise must be >= 0");
        require(falseAlarmRate > 0 && falseAlarmRate < 0.5, "false-alarm rate must be in (0, 0.5)");
        contamination.ifPresent(c -> require(c > 0 && c < 0.5, "contamination must be in (0, 0.5)"));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * Defaults for {@code width} input columns that work without tuning: one hidden layer of {@code clamp(2F, 16, 64)},
     * a code of {@code clamp(ceil(F / 4), 2, 16)}, Adam 1e-3, batch 256, up to 100 epochs with patience 10.
     */
    public static TrainingConfig defaults(ModelFamily family, int width) {
        return defaults(family, width, Integer.MAX_VALUE);
    }

    /** As {@link #defaults(ModelFamily, int)}, with smaller minibatches for small data ({@code clamp(rows / 40, 32, 256)}) so that every epoch still takes tens of steps. */
    public static TrainingConfig defaults(ModelFamily family, int width, int rows) {
        int batch = (int) Math.max(32, Math.min(256, rows / 40L));
        int h = Math.max(16, Math.min(64, 2 * width));
        int latent = Math.max(2, Math.min(16, (width + 3) / 4));
        return new TrainingConfig(family, new int[]{h}, latent, family.defaultActivation(), 100, batch, 1e-3, 1e-5, 0.2, 10, 42,
                family.defaultDenoise(), Scaling.STANDARD, 0.01, OptionalDouble.empty());
    }

    /** The alert rate the threshold targets. */
    public double targetAlertRate() {
        return contamination.orElse(falseAlarmRate);
    }

    /** As text, for model metadata and reports. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("kind", family.kind().name());
        m.put("hidden", Arrays.toString(hidden));
        m.put("latent", Integer.toString(latent));
        m.put("activation", activation.name().toLowerCase());
        m.put("epochs", Integer.toString(epochs));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("learning_rate", Double.toString(learningRate));
        m.put("weight_decay", Double.toString(weightDecay));
        m.put("validation_fraction", Double.toString(validationFraction));
        m.put("patience", Integer.toString(patience));
        m.put("seed", Long.toString(seed));
        m.put("denoise", Double.toString(denoise));
        m.putAll(family.parameters());
        m.put("scaling", scaling.name().toLowerCase());
        m.put("false_alarm_rate", Double.toString(falseAlarmRate));
        contamination.ifPresent(c -> m.put("contamination", Double.toString(c)));
        return m;
    }

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(family, hidden, latent, activation, e, batchSize, learningRate, weightDecay, validationFraction,
                patience, seed, denoise, scaling, falseAlarmRate, contamination);
    }

    public TrainingConfig withFamily(ModelFamily f) {
        return new TrainingConfig(f, hidden, latent, activation, epochs, batchSize, learningRate, weightDecay, validationFraction,
                patience, seed, denoise, scaling, falseAlarmRate, contamination);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(family, hidden, latent, activation, epochs, batchSize, learningRate, weightDecay, validationFraction,
                patience, s, denoise, scaling, falseAlarmRate, contamination);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingConfig t && describe().equals(t.describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return "TrainingConfig" + describe();
    }
}
