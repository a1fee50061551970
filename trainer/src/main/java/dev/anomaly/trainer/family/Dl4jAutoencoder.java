package dev.anomaly.trainer.family;

import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.Dl4jNetwork;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.TrainingConfig;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossL1;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Undercomplete dense autoencoder: encoder layers, a linear code, mirrored decoder, linear reconstruction with MSE.
 * Each penalty on the code is one more output on the code layer with its own loss (DL4J has no activity regulariser,
 * and this is exactly one): L1 towards zero ({@code sparsity}), KL-sparsity through a logistic
 * ({@code sparsity_target}), and the contractive penalty, for which every minibatch is fed twice, clean then with
 * small noise (see {@link ContractivePenalty}).
 */
final class Dl4jAutoencoder implements Dl4jNetwork {
    private final ComputationGraph net;
    private final TrainingConfig config;
    private final int width;
    private final Autoencoder family;
    private final List<String> outputs = new ArrayList<>();
    private final java.util.SplittableRandom noise;
    private INDArray codeLabels;

    Dl4jAutoencoder(int width, TrainingConfig config, Autoencoder family) {
        this.width = width;
        this.config = config;
        this.family = family;
        this.noise = new java.util.SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(config.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(config.learningRate()))
                .weightInit(WeightInit.XAVIER)
                .l2(config.weightDecay())
                .graphBuilder()
                .addInputs("in");
        String prev = "in";
        int nIn = width;
        int[] hidden = config.hidden();
        for (int i = 0; i < hidden.length; i++) {
            g.addLayer("e" + i, new DenseLayer.Builder().nIn(nIn).nOut(hidden[i]).activation(config.activation().dl4j()).build(), prev);
            prev = "e" + i;
            nIn = hidden[i];
        }
        g.addLayer("code", new DenseLayer.Builder().nIn(nIn).nOut(config.latent())
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), prev);
        prev = "code";
        nIn = config.latent();
        for (int i = hidden.length - 1; i >= 0; i--) {
            g.addLayer("d" + i, new DenseLayer.Builder().nIn(nIn).nOut(hidden[i]).activation(config.activation().dl4j()).build(), prev);
            prev = "d" + i;
            nIn = hidden[i];
        }
        g.addLayer("recon", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(nIn).nOut(width)
                .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), prev);
        outputs.add("recon");
        if (family.sparsity() > 0) {
            INDArray weights = Nd4j.valueArrayOf(new long[]{1, config.latent()}, family.sparsity(), DataType.FLOAT);
            penalty(g, "sparsity", new LossL1(weights), org.nd4j.linalg.activations.Activation.IDENTITY);
        }
        if (family.sparsityTarget() > 0) {
            penalty(g, "kl_sparsity", new KlSparsityPenalty(family.sparsityTarget(), family.sparsityTargetWeight()),
                    org.nd4j.linalg.activations.Activation.SIGMOID);
        }
        if (family.contraction() > 0) {
            penalty(g, "contraction", new ContractivePenalty(family.contraction(), Autoencoder.CONTRACTION_NOISE),
                    org.nd4j.linalg.activations.Activation.IDENTITY);
        }
        g.setOutputs(outputs.toArray(String[]::new));
        net = new ComputationGraph(g.build());
        net.init();
    }

    private void penalty(ComputationGraphConfiguration.GraphBuilder g, String name, org.nd4j.linalg.lossfunctions.ILossFunction loss,
                         org.nd4j.linalg.activations.Activation activation) {
        g.addLayer(name, new LossLayer.Builder(loss).activation(activation).build(), "code");
        outputs.add(name);
    }

    @Override
    public void fitBatch(INDArray input, INDArray target) {
        if (family.contraction() > 0) { // clean rows, then the same rows with noise: the pairs ContractivePenalty compares
            float[] eps = new float[(int) input.length()];
            for (int i = 0; i < eps.length; i++) {
                eps[i] = (float) (Autoencoder.CONTRACTION_NOISE * VariationalAutoencoder.gaussian(noise));
            }
            INDArray noisy = input.dup('c').addi(Nd4j.create(eps, input.shape(), 'c'));
            input = Nd4j.vstack(input, noisy);
            target = Nd4j.vstack(target, target);
        }
        INDArray[] labels = new INDArray[outputs.size()];
        labels[0] = target;
        if (labels.length > 1) {
            long rows = input.size(0);
            if (codeLabels == null || codeLabels.size(0) != rows) {
                codeLabels = Nd4j.zeros(DataType.FLOAT, rows, config.latent()); // the penalties pull towards no label
            }
            java.util.Arrays.fill(labels, 1, labels.length, codeLabels);
        }
        net.fit(new MultiDataSet(new INDArray[]{input}, labels));
    }

    @Override
    public double validationLoss(float[] z, int rows) {
        float[] recon = forward(z, rows)[1];
        double sum = 0;
        for (int i = 0; i < rows * width; i++) {
            double d = z[i] - recon[i];
            sum += d * d;
        }
        return sum / ((double) rows * width);
    }

    @Override
    public double lastBatchScore() {
        return net.score();
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
        Map<String, INDArray> acts = net.feedForward(in, false);
        return new float[][]{acts.get("code").dup('c').data().asFloat(), acts.get("recon").dup('c').data().asFloat()};
    }

    @Override
    public NetworkWeights weights(Normalizer normalizer) {
        List<DenseWeights> encoder = new ArrayList<>();
        for (int i = 0; i < config.hidden().length; i++) {
            encoder.add(dense("e" + i, config.activation()));
        }
        List<DenseWeights> decoder = new ArrayList<>();
        for (int i = config.hidden().length - 1; i >= 0; i--) {
            decoder.add(dense("d" + i, config.activation()));
        }
        return new NetworkWeights(family, normalizer, encoder, dense("code", Activation.IDENTITY), null, decoder,
                dense("recon", Activation.IDENTITY), new float[config.latent()], Dl4jVae.ones(config.latent()), 1f);
    }

    private DenseWeights dense(String name, Activation activation) {
        Layer layer = net.getLayer(name);
        return Dl4jVae.dense(layer.getParam("W"), layer.getParam("b"), activation);
    }
}
