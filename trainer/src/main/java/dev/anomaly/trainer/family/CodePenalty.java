package dev.anomaly.trainer.family;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A penalty on the autoencoder's code, as a DL4J loss on a second output: DL4J has no activity regulariser and no way
 * to give a loss the whole minibatch at once, except this one. Subclasses give the per-row share of the penalty and its
 * gradient for the minibatch; labels are unused.
 */
abstract class CodePenalty implements ILossFunction {
    private static final long serialVersionUID = 1L;

    /** Per-row penalty (rows × 1), summing to the minibatch's penalty times its size, so that DL4J's mean is the penalty. */
    abstract INDArray rowScores(INDArray code);

    /** Gradient of the sum of {@link #rowScores} with respect to the code (activation already applied). */
    abstract INDArray gradient(INDArray code);

    @Override
    public final INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
        return rowScores(activation.getActivation(preOutput.dup(), true));
    }

    @Override
    public final double computeScore(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask, boolean average) {
        double sum = computeScoreArray(labels, preOutput, activation, mask).sumNumber().doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public final INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
        INDArray code = activation.getActivation(preOutput.dup(), true);
        return activation.backprop(preOutput.dup(), gradient(code)).getFirst();
    }

    @Override
    public final Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activation,
                                                                 INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activation, mask, average), computeGradient(labels, preOutput, activation, mask));
    }
}
