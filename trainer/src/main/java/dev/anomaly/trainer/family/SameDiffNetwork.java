package dev.anomaly.trainer.family;

import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.DenseWeights;
import dev.anomaly.trainer.model.Dl4jNetwork;
import dev.anomaly.trainer.model.TrainingConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.weightinit.impl.XavierInitScheme;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A network written as a SameDiff graph, for the families DL4J's layers cannot express (a decoder that also reads a
 * condition, a codebook, weights shared between encoder and decoder). Subclasses declare placeholders and the loss in
 * their constructor with {@link #dense}, then call {@link #ready}; this class owns the parameters (in declaration order,
 * for {@link #params}), the Adam updater and the minibatch step.
 */
abstract class SameDiffNetwork implements Dl4jNetwork {
    static final String LOSS = "loss";

    protected final SameDiff sd = SameDiff.create();
    protected final TrainingConfig config;
    private final List<String> parameters = new ArrayList<>();
    private List<String> inputs = List.of();
    private INDArray[] lastBatch;

    SameDiffNetwork(TrainingConfig config) {
        this.config = config;
    }

    /** A trainable variable with Xavier initialisation (from ND4J's seeded generator: same seed, same weights). */
    protected SDVariable weight(String name, long in, long out) {
        parameters.add(name);
        return sd.var(name, new XavierInitScheme('c', in, out), DataType.FLOAT, in, out);
    }

    protected SDVariable bias(String name, long out) {
        parameters.add(name);
        return sd.var(name, Nd4j.zeros(DataType.FLOAT, out));
    }

    /** {@code activation(input · W + b)} with fresh parameters {@code name.W}, {@code name.b}. */
    protected SDVariable dense(String name, SDVariable input, long in, long out, Activation activation) {
        return activate(input.mmul(weight(name + ".W", in, out)).add(bias(name + ".b", out)), activation);
    }

    /** The encoder's hidden layers {@code enc0…} over {@code input} ({@code width} columns): the last one's output. */
    protected SDVariable encoder(SDVariable input, long width) {
        SDVariable h = input;
        long n = width;
        for (int i = 0; i < config.hidden().length; i++) {
            h = dense("enc" + i, h, n, config.hidden()[i], config.activation());
            n = config.hidden()[i];
        }
        return h;
    }

    /** The decoder's hidden layers {@code dec0…}, the encoder's sizes mirrored, over {@code input}: the last one's output. */
    protected SDVariable decoder(SDVariable input, long width) {
        int[] hidden = config.hidden();
        SDVariable d = input;
        long n = width;
        for (int i = 0; i < hidden.length; i++) {
            int size = hidden[hidden.length - 1 - i];
            d = dense("dec" + i, d, n, size, config.activation());
            n = size;
        }
        return d;
    }

    /** Width of the encoder's last hidden layer (the code layer's input). */
    protected long encoderWidth(long inputWidth) {
        return config.hidden().length == 0 ? inputWidth : config.hidden()[config.hidden().length - 1];
    }

    /** Width of the decoder's last hidden layer (the output layer's input). */
    protected long decoderWidth(long inputWidth) {
        return config.hidden().length == 0 ? inputWidth : config.hidden()[0];
    }

    protected SDVariable activate(SDVariable x, Activation activation) {
        return switch (activation) {
            case IDENTITY -> x;
            case RELU -> sd.nn().relu(x, 0);
            case LEAKYRELU -> sd.nn().leakyRelu(x, Activation.LEAKY_ALPHA);
            case ELU -> sd.nn().elu(x);
            case TANH -> sd.nn().tanh(x);
            case SIGMOID -> sd.nn().sigmoid(x);
        };
    }

    /** Declares the training inputs (placeholder names, in the order {@link #step} feeds them) and the updater. */
    protected void ready(String... placeholders) {
        inputs = List.of(placeholders);
        sd.setTrainingConfig(org.nd4j.autodiff.samediff.TrainingConfig.builder()
                .updater(new Adam(config.learningRate()))
                .l2(config.weightDecay())
                .dataSetFeatureMapping(placeholders)
                .markLabelsUnused()
                .minimize(LOSS)
                .build());
        withoutGradientChatter(sd::createGradFunction);
    }

    /**
     * Runs {@code action} while lines SameDiff 1.0.0-M2.1 prints to standard output for every op it differentiates
     * ("Added differentiated op ...", unconditionally, not through a logger) are dropped; all other output passes.
     */
    private static synchronized void withoutGradientChatter(Runnable action) {
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(out, true) {
            @Override
            public void println(String line) {
                if (line == null || !line.startsWith("Added differentiated op")) {
                    super.println(line);
                }
            }
        });
        try {
            action.run();
        } finally {
            System.setOut(out);
        }
    }

    /** One Adam step on the given placeholder values, in {@link #ready}'s order. */
    protected void step(INDArray... values) {
        sd.fit(new MultiDataSet(values, new INDArray[0]));
        lastBatch = values;
    }


    /**
     * The loss on the last minibatch, after its step (one more forward pass): SameDiff reports no loss value from a
     * single-batch fit to its listeners.
     */
    @Override
    public double lastBatchScore() {
        if (lastBatch == null) {
            return Double.NaN;
        }
        return sd.outputSingle(feed(lastBatch), LOSS).getDouble(0);
    }

    /** Placeholder values by name, given in {@link #ready}'s order. */
    protected Map<String, INDArray> feed(INDArray... values) {
        Map<String, INDArray> feed = new java.util.HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            feed.put(inputs.get(i), values[i]);
        }
        return feed;
    }

    @Override
    public INDArray params() {
        List<INDArray> arrays = new ArrayList<>();
        for (String p : parameters) {
            arrays.add(sd.getArrForVarName(p));
        }
        return Nd4j.toFlattened('c', arrays);
    }

    @Override
    public void setParams(INDArray params) {
        INDArray flat = params.ravel();
        long offset = 0;
        for (String p : parameters) {
            INDArray arr = sd.getArrForVarName(p);
            long n = arr.length();
            arr.assign(flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n)).reshape('c', arr.shape()));
            offset += n;
        }
    }

    /** A trained layer as plain arrays, from its {@code name.W} and {@code name.b}. */
    protected DenseWeights layer(String name, Activation activation) {
        INDArray w = sd.getArrForVarName(name + ".W").dup('c');
        return new DenseWeights((int) w.size(0), (int) w.size(1), w.data().asFloat(),
                sd.getArrForVarName(name + ".b").dup('c').data().asFloat(), activation);
    }

    /** Columns {@code columns} of a row-major [rows, width] array. */
    static float[] columns(float[] values, int rows, int width, int[] columns) {
        float[] out = new float[rows * columns.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns.length; c++) {
                out[r * columns.length + c] = values[r * width + columns[c]];
            }
        }
        return out;
    }
}
