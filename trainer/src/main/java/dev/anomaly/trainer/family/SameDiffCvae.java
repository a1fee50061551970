package dev.anomaly.trainer.family;

import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.ReferenceScorer;
import dev.anomaly.trainer.model.TrainingConfig;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The conditional VAE's network in SameDiff (DL4J's VAE layer has no way to feed the decoder anything but the code):
 * encoder over the whole row, Gaussian q(z | x, c), one reparameterised draw z = mu + sigma * eps, decoder over
 * [z, c], Gaussian p(x | z, c) over the non-condition columns; loss = mean over rows of (NLL + beta * KL). Layer names
 * match the ONNX export's ({@code enc0.W}, {@code code.W}, {@code code_logvar.W}, {@code dec0.W}, {@code out.W}).
 */
final class SameDiffCvae extends SameDiffNetwork {
    private final ConditionalVae family;
    private final int width;
    private final int[] data;
    private final int[] cond;
    private final Normalizer identity;

    SameDiffCvae(int width, TrainingConfig config, ConditionalVae family) {
        super(config);
        this.family = family;
        this.width = width;
        this.data = family.dataColumns(width);
        this.cond = family.conditionColumns();
        int fx = data.length;
        int k = config.latent();

        SDVariable in = sd.placeHolder("in", DataType.FLOAT, -1, width);
        SDVariable target = sd.placeHolder("target", DataType.FLOAT, -1, fx);
        SDVariable c = sd.placeHolder("cond", DataType.FLOAT, -1, cond.length);
        SDVariable eps = sd.placeHolder("eps", DataType.FLOAT, -1, k);

        SDVariable h = encoder(in, width);
        long n = encoderWidth(width);
        SDVariable mu = dense("code", h, n, k, Activation.IDENTITY);
        sd.updateVariableNameAndReference(mu, "mu");
        SDVariable lv = dense("code_logvar", h, n, k, Activation.IDENTITY);
        SDVariable zs = mu.add(sd.math().exp(lv.mul(0.5)).mul(eps));
        SDVariable d = decoder(sd.concat(1, zs, c), k + cond.length);
        SDVariable out = dense("out", d, decoderWidth(k + cond.length), 2L * fx, Activation.IDENTITY);
        SDVariable mean = out.get(SDIndex.all(), SDIndex.interval(0, fx));
        sd.updateVariableNameAndReference(mean, "recon_mean");
        // The decoder's variance floor (ConditionalVae.MIN_LOG_VARIANCE): max() passes no gradient below it.
        SDVariable outLv = sd.math().max(out.get(SDIndex.all(), SDIndex.interval(fx, 2 * fx)),
                sd.constant(Nd4j.scalar(DataType.FLOAT, (float) ConditionalVae.MIN_LOG_VARIANCE)));
        SDVariable diff = target.sub(mean);
        SDVariable nll = outLv.add(diff.mul(diff).mul(sd.math().exp(outLv.neg()))).add(ReferenceScorer.LOG_2PI).mul(0.5);
        SDVariable kl = mu.mul(mu).add(sd.math().exp(lv)).sub(1.0).sub(lv).sum(1).mul(0.5);
        sd.mean(LOSS, nll.sum(1).add(kl.mul(family.beta())));
        ready("in", "target", "cond", "eps");
        float[] zeros = new float[width];
        float[] ones = new float[width];
        java.util.Arrays.fill(ones, 1f);
        identity = new Normalizer(zeros, ones);
    }

    /** The encoder sees the (possibly corrupted) data columns and the clean condition; the likelihood is of the clean data. */
    @Override
    public void fitBatch(INDArray input, INDArray target) {
        INDArray in = input.dup();
        INDArray c = target.getColumns(cond);
        for (int i = 0; i < cond.length; i++) {
            in.putColumn(cond[i], c.getColumn(i));
        }
        INDArray eps = Nd4j.randn(DataType.FLOAT, input.size(0), config.latent());
        step(in, target.getColumns(data), c, eps);
    }

    @Override
    public double validationLoss(float[] z, int rows) {
        ReferenceScorer.Result r = ReferenceScorer.score(weights(identity), z, rows);
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            sum += r.score()[i] + (family.beta() - 1) * r.latentScore()[i];
        }
        return sum / rows;
    }

    /** {mu, the decoder's mean at z = mu (the condition's columns: their own value)}, from SameDiff's own execution. */
    @Override
    public float[][] forward(float[] z, int rows) {
        INDArray in = Nd4j.create(z, new long[]{rows, width}, 'c');
        Map<String, INDArray> out = sd.output(feed(in, in.getColumns(data), in.getColumns(cond),
                Nd4j.zeros(DataType.FLOAT, rows, config.latent())), "mu", "recon_mean");
        float[] mean = out.get("recon_mean").dup('c').data().asFloat();
        float[] full = z.clone();
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < data.length; d++) {
                full[r * width + data[d]] = mean[r * data.length + d];
            }
        }
        return new float[][]{out.get("mu").dup('c').data().asFloat(), full};
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
        int k = config.latent();
        return new NetworkWeights(family, normalizer, encoder, layer("code", Activation.IDENTITY),
                layer("code_logvar", Activation.IDENTITY), decoder, layer("out", Activation.IDENTITY),
                new float[k], Dl4jVae.ones(k), 1f);
    }
}
