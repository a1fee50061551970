package dev.anomaly.trainer.family;

import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.TrainingConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The autoencoder with tied weights, in SameDiff: each decoder layer multiplies by the transpose of the encoder layer it
 * mirrors (the code layer's for the first, the first encoder layer's for the output) and adds its own bias, so the
 * decoder has no weight matrix of its own. Same loss as {@link Dl4jAutoencoder} (mean squared error); exported as an AE
 * whose decoder matrices are the encoder's transposed.
 */
final class SameDiffTiedAutoencoder extends SameDiffNetwork {
    private final Autoencoder family;
    private final int width;
    private final int layers;

    SameDiffTiedAutoencoder(int width, TrainingConfig config, Autoencoder family) {
        super(config);
        this.family = family;
        this.width = width;
        int[] hidden = config.hidden();
        this.layers = hidden.length;
        Activation act = config.activation();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, width);
        SDVariable target = sd.placeHolder("target", DataType.FLOAT, -1, width);

        List<SDVariable> shared = new ArrayList<>();
        SDVariable h = in;
        long n = width;
        for (int i = 0; i < hidden.length; i++) {
            SDVariable w = weight("enc" + i + ".W", n, hidden[i]);
            shared.add(w);
            h = activate(h.mmul(w).add(bias("enc" + i + ".b", hidden[i])), act);
            n = hidden[i];
        }
        SDVariable codeW = weight("code.W", n, config.latent());
        shared.add(codeW);
        SDVariable code = h.mmul(codeW).add(bias("code.b", config.latent()));
        sd.updateVariableNameAndReference(code, "code_out");
        // Decoder layer j mirrors shared matrix (layers - j): code.W first, enc0.W last (the output layer).
        SDVariable d = code;
        for (int j = 0; j <= layers; j++) {
            SDVariable w = shared.get(layers - j);
            boolean output = j == layers;
            long out = output ? width : hidden[layers - 1 - j];
            SDVariable pre = d.mmul(sd.transpose(w)).add(bias((output ? "out" : "dec" + j) + ".b", out));
            d = output ? pre : activate(pre, act);
        }
        sd.updateVariableNameAndReference(d, "recon");
        SDVariable diff = target.sub(d);
        sd.mean(LOSS, diff.mul(diff));
        ready("in", "target");
    }

    @Override
    public void fitBatch(INDArray input, INDArray target) {
        step(input, target);
    }

    @Override
    public double validationLoss(float[] z, int rows) {
        INDArray in = Nd4j.create(z, new long[]{rows, width}, 'c');
        return sd.outputSingle(Map.of("in", in, "target", in), LOSS).getDouble(0);
    }

    @Override
    public float[][] forward(float[] z, int rows) {
        INDArray in = Nd4j.create(z, new long[]{rows, width}, 'c');
        Map<String, INDArray> out = sd.output(Map.of("in", in, "target", in), "code_out", "recon");
        return new float[][]{out.get("code_out").dup('c').data().asFloat(), out.get("recon").dup('c').data().asFloat()};
    }

    @Override
    public NetworkWeights weights(Normalizer normalizer) {
        Activation act = config.activation();
        List<DenseWeights> encoder = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            encoder.add(layer("enc" + i, act));
        }
        DenseWeights code = layer("code", Activation.IDENTITY);
        List<DenseWeights> decoder = new ArrayList<>();
        for (int j = 0; j < layers; j++) {
            decoder.add(transposed(j == 0 ? "code.W" : "enc" + (layers - j) + ".W", "dec" + j + ".b", act));
        }
        DenseWeights output = transposed("enc0.W", "out.b", Activation.IDENTITY);
        int k = config.latent();
        return new NetworkWeights(family, normalizer, encoder, code, null, decoder, output, new float[k], Dl4jVae.ones(k), 1f);
    }

    private DenseWeights transposed(String weight, String bias, Activation activation) {
        INDArray w = sd.getArrForVarName(weight).transpose().dup('c');
        return new DenseWeights((int) w.size(0), (int) w.size(1), w.data().asFloat(),
                sd.getArrForVarName(bias).dup('c').data().asFloat(), activation);
    }
}
