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
 * A sparse AE adds a second output, an L1 loss pulling the code towards zero with weight {@code sparsity}: DL4J has
 * no activity regulariser, and this is exactly one.
 */
final class Dl4jAutoencoder implements Dl4jNetwork {
    private final ComputationGraph net;
    private final TrainingConfig config;
    private final int width;
    private final double sparsity;
    private final INDArray[] sparsityLabels = new INDArray[1];

    Dl4jAutoencoder(int width, TrainingConfig config, double sparsity) {
        this.width = width;
        this.config = config;
        this.sparsity = sparsity;
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
        if (sparsity > 0) {
            INDArray weights = Nd4j.valueArrayOf(new long[]{1, config.latent()}, sparsity, DataType.FLOAT);
            g.addLayer("sparsity", new LossLayer.Builder(new LossL1(weights))
                    .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "code");
            g.setOutputs("recon", "sparsity");
        } else {
            g.setOutputs("recon");
        }
        net = new ComputationGraph(g.build());
        net.init();
    }

    @Override
    public void fitBatch(INDArray input, INDArray target) {
        if (sparsity > 0) {
            long rows = input.size(0);
            if (sparsityLabels[0] == null || sparsityLabels[0].size(0) != rows) {
                sparsityLabels[0] = Nd4j.zeros(DataType.FLOAT, rows, config.latent());
            }
            net.fit(new MultiDataSet(new INDArray[]{input}, new INDArray[]{target, sparsityLabels[0]}));
        } else {
            net.fit(new MultiDataSet(new INDArray[]{input}, new INDArray[]{target}));
        }
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
        return new NetworkWeights(new Autoencoder(sparsity), normalizer, encoder, dense("code", Activation.IDENTITY), null, decoder,
                dense("recon", Activation.IDENTITY), new float[config.latent()], Dl4jVae.ones(config.latent()), 1f);
    }

    private DenseWeights dense(String name, Activation activation) {
        Layer layer = net.getLayer(name);
        return Dl4jVae.dense(layer.getParam("W"), layer.getParam("b"), activation);
    }
}
