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
import java.util.SplittableRandom;

/**
 * The VQ-VAE's network in SameDiff. Each step first runs the encoder to find every row's nearest codebook entry q (in
 * Java, the same {@link VectorQuantisedAutoencoder#nearest} the scorer uses), then trains on
 * <pre>
 *   ||x - dec(z_e + (q - z_e)')||^2 + ||z_e' - E[i]||^2 + beta ||z_e - q'||^2
 * </pre>
 * where ' marks values fed in as constants: the decoder sees q while its gradient passes straight through to the
 * encoder, the codebook loss moves entry E[i] towards the codes that chose it, the commitment loss keeps the codes near
 * their entries. The codebook starts as K codes of the first minibatch, so that no entry starts where no data is.
 */
final class SameDiffVqvae extends SameDiffNetwork {
    private final VectorQuantisedAutoencoder family;
    private final int width;
    private final int k;
    private final int entries;
    private final SplittableRandom random;
    private boolean codebookStarted;

    SameDiffVqvae(int width, TrainingConfig config, VectorQuantisedAutoencoder family) {
        super(config);
        this.family = family;
        this.width = width;
        this.k = config.latent();
        this.entries = family.codebookSize();
        this.random = new SplittableRandom(config.seed() ^ 0x9E3779B97F4A7C15L);
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, width);
        SDVariable target = sd.placeHolder("target", DataType.FLOAT, -1, width);
        SDVariable shift = sd.placeHolder("shift", DataType.FLOAT, -1, k);
        SDVariable oneHot = sd.placeHolder("one_hot", DataType.FLOAT, -1, entries);
        SDVariable codeFixed = sd.placeHolder("code_fixed", DataType.FLOAT, -1, k);
        SDVariable chosen = sd.placeHolder("chosen", DataType.FLOAT, -1, k);

        SDVariable code = dense("code", encoder(in, width), encoderWidth(width), k, Activation.IDENTITY);
        sd.updateVariableNameAndReference(code, "code_out");
        SDVariable codebook = weight(VectorQuantisedAutoencoder.CODEBOOK, entries, k);
        SDVariable recon = dense("out", decoder(code.add(shift), k), decoderWidth(k), width, Activation.IDENTITY);
        sd.updateVariableNameAndReference(recon, "recon");
        SDVariable err = target.sub(recon);
        SDVariable toEntry = codeFixed.sub(oneHot.mmul(codebook));
        SDVariable commit = code.sub(chosen);
        err.mul(err).mean().add(toEntry.mul(toEntry).mean()).add(commit.mul(commit).mean().mul(family.commitment()))
                .add(LOSS, 0.0);
        ready("in", "target", "shift", "one_hot", "code_fixed", "chosen");
    }

    /** The step's placeholder values: the batch, and each row's nearest entry found with the current codebook. */
    private INDArray[] quantised(INDArray input, INDArray target) {
        int rows = (int) input.size(0);
        float[] code = sd.outputSingle(Map.of("in", input), "code_out").dup('c').data().asFloat();
        float[] book = sd.getArrForVarName(VectorQuantisedAutoencoder.CODEBOOK).dup('c').data().asFloat();
        int[] index = VectorQuantisedAutoencoder.nearest(book, code, rows, k);
        float[] q = VectorQuantisedAutoencoder.entries(book, index, k);
        float[] shift = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            shift[i] = q[i] - code[i];
        }
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, rows, entries);
        for (int r = 0; r < rows; r++) {
            oneHot.putScalar(r, index[r], 1f);
        }
        return new INDArray[]{input, target, Nd4j.create(shift, new long[]{rows, k}, 'c'), oneHot,
                Nd4j.create(code, new long[]{rows, k}, 'c'), Nd4j.create(q, new long[]{rows, k}, 'c')};
    }

    @Override
    public void fitBatch(INDArray input, INDArray target) {
        if (!codebookStarted) {
            startCodebook(input);
        }
        step(quantised(input, target));
    }

    /** The first minibatch's codes, K of them drawn without replacement (with repeats if the batch is smaller). */
    private void startCodebook(INDArray input) {
        int rows = (int) input.size(0);
        float[] code = sd.outputSingle(Map.of("in", input), "code_out").dup('c').data().asFloat();
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float[] book = new float[entries * k];
        for (int e = 0; e < entries; e++) {
            System.arraycopy(code, order[e % rows] * k, book, e * k, k);
        }
        sd.getArrForVarName(VectorQuantisedAutoencoder.CODEBOOK).assign(Nd4j.create(book, new long[]{entries, k}, 'c'));
        codebookStarted = true;
    }

    @Override
    public double validationLoss(float[] z, int rows) {
        INDArray in = Nd4j.create(z, new long[]{rows, width}, 'c');
        return sd.outputSingle(feed(quantised(in, in)), LOSS).getDouble(0);
    }

    /** {z_e, the reconstruction decoded from its nearest entry}. */
    @Override
    public float[][] forward(float[] z, int rows) {
        INDArray in = Nd4j.create(z, new long[]{rows, width}, 'c');
        Map<String, INDArray> out = sd.output(feed(quantised(in, in)), "code_out", "recon");
        return new float[][]{out.get("code_out").dup('c').data().asFloat(), out.get("recon").dup('c').data().asFloat()};
    }

    @Override
    public NetworkWeights weights(Normalizer normalizer) {
        Activation act = config.activation();
        List<DenseWeights> encoder = new ArrayList<>();
        List<DenseWeights> decoder = new ArrayList<>();
        for (int i = 0; i < config.hidden().length; i++) {
            encoder.add(layer("enc" + i, act));
            decoder.add(layer("dec" + i, act));
        }
        float[] book = sd.getArrForVarName(VectorQuantisedAutoencoder.CODEBOOK).dup('c').data().asFloat();
        return new NetworkWeights(family, normalizer, encoder, layer("code", Activation.IDENTITY), null, decoder,
                layer("out", Activation.IDENTITY), new float[k], Dl4jVae.ones(k), 1f, book);
    }
}
