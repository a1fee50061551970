package dev.anomaly.trainer.family;

import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.Dl4jNetwork;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.ReferenceScorer;
import dev.anomaly.trainer.model.TrainingConfig;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.variational.GaussianReconstructionDistribution;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;

import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.BIAS_KEY_SUFFIX;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.DECODER_PREFIX;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.ENCODER_PREFIX;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.PXZ_B;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.PXZ_W;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.PZX_LOGSTD2_B;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.PZX_LOGSTD2_W;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.PZX_MEAN_B;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.PZX_MEAN_W;
import static org.deeplearning4j.nn.params.VariationalAutoencoderParamInitializer.WEIGHT_KEY_SUFFIX;

/**
 * β-VAE with DL4J's {@link org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder} layer: dense encoder, Gaussian q(z|x) with identity activation on
 * mean and log-variance, mirrored decoder, Gaussian p(x|z) with IDENTITY activation (DL4J's default is TANH, which
 * would squash the mean into (-1, 1)). Trained unsupervised by layer-wise pretraining of the single layer.
 */
final class Dl4jVae implements Dl4jNetwork {
    private final MultiLayerNetwork net;
    private final TrainingConfig config;
    private final int width;
    private final VariationalAutoencoder family;
    private final Normalizer identity;

    Dl4jVae(int width, TrainingConfig config, VariationalAutoencoder family) {
        this.width = width;
        this.config = config;
        this.family = family;
        int[] hidden = config.hidden();
        int[] decoder = new int[hidden.length];
        for (int i = 0; i < hidden.length; i++) {
            decoder[i] = hidden[hidden.length - 1 - i];
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(config.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(config.learningRate()))
                .weightInit(WeightInit.XAVIER)
                .l2(config.weightDecay())
                // Heavy-tailed columns give huge first-step gradients through exp(-log s^2): clip them.
                .gradientNormalization(org.deeplearning4j.nn.conf.GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(1.0)
                .list()
                .layer(new org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder.Builder()
                        .nIn(width).nOut(config.latent())
                        .encoderLayerSizes(hidden).decoderLayerSizes(decoder)
                        .activation(config.activation().dl4j())
                        .pzxActivationFunction(org.nd4j.linalg.activations.Activation.IDENTITY)
                        .reconstructionDistribution(new BetaScaledReconstruction(
                                new GaussianReconstructionDistribution(org.nd4j.linalg.activations.Activation.IDENTITY), family.beta()))
                        .numSamples(1)
                        .build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        float[] zeros = new float[width];
        float[] ones = new float[width];
        java.util.Arrays.fill(ones, 1f);
        identity = new Normalizer(zeros, ones);
    }

    private org.deeplearning4j.nn.layers.variational.VariationalAutoencoder layer() {
        return (org.deeplearning4j.nn.layers.variational.VariationalAutoencoder) net.getLayer(0);
    }

    @Override
    public void fitBatch(INDArray input, INDArray target) {
        net.pretrainLayer(0, input);
    }

    @Override
    public double validationLoss(float[] z, int rows) {
        // Deterministic β-ELBO at z = mu, from the current weights (inputs are already normalised).
        ReferenceScorer.Result r = ReferenceScorer.score(weights(identity), z, rows);
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            sum += r.score()[i] + (family.beta() - 1) * r.latentScore()[i];
        }
        return sum / rows;
    }

    @Override
    public double lastBatchScore() {
        return layer().score();
    }

    @Override
    public INDArray params() {
        return net.params();
    }

    @Override
    public void setParams(INDArray params) {
        net.setParams(params);
    }

    @Override
    public float[][] forward(float[] z, int rows) {
        INDArray in = Nd4j.create(z, new long[]{rows, width}, 'c');
        INDArray mu = net.output(in, false);
        INDArray mean = layer().generateAtMeanGivenZ(mu);
        return new float[][]{mu.dup('c').data().asFloat(), mean.dup('c').data().asFloat()};
    }

    @Override
    public NetworkWeights weights(Normalizer normalizer) {
        var layer = layer();
        List<DenseWeights> encoder = new ArrayList<>();
        for (int i = 0; i < config.hidden().length; i++) {
            encoder.add(dense(layer.getParam(ENCODER_PREFIX + i + WEIGHT_KEY_SUFFIX), layer.getParam(ENCODER_PREFIX + i + BIAS_KEY_SUFFIX),
                    config.activation()));
        }
        List<DenseWeights> decoder = new ArrayList<>();
        for (int i = 0; i < config.hidden().length; i++) {
            decoder.add(dense(layer.getParam(DECODER_PREFIX + i + WEIGHT_KEY_SUFFIX), layer.getParam(DECODER_PREFIX + i + BIAS_KEY_SUFFIX),
                    config.activation()));
        }
        return new NetworkWeights(family, normalizer, encoder,
                dense(layer.getParam(PZX_MEAN_W), layer.getParam(PZX_MEAN_B), Activation.IDENTITY),
                dense(layer.getParam(PZX_LOGSTD2_W), layer.getParam(PZX_LOGSTD2_B), Activation.IDENTITY),
                decoder,
                dense(layer.getParam(PXZ_W), layer.getParam(PXZ_B), Activation.IDENTITY),
                new float[config.latent()], ones(config.latent()), 1f);
    }

    static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    /** DL4J keeps weights column-major: copy to row-major before reading the raw buffer. */
    static DenseWeights dense(INDArray w, INDArray b, Activation activation) {
        INDArray wc = w.dup('c');
        int in = (int) wc.size(0);
        int out = (int) wc.size(1);
        float[] weights = wc.data().asFloat();
        float[] bias = b.dup('c').data().asFloat();
        if (weights.length != in * out) {
            weights = java.util.Arrays.copyOf(weights, in * out);
        }
        return new DenseWeights(in, out, weights, java.util.Arrays.copyOf(bias, out), activation);
    }
}
