package dev.anomaly.trainer.family;

import org.deeplearning4j.nn.conf.layers.variational.ReconstructionDistribution;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * β-VAE on DL4J, which has no β: DL4J's VAE minimises {@code NLL + KL}; dividing the reconstruction term (value and
 * gradient) by β makes it minimise {@code NLL / β + KL = (NLL + β KL) / β}, the β-VAE objective up to a constant factor,
 * which Adam's per-parameter step normalisation makes immaterial. Everything else delegates unchanged.
 */
public final class BetaScaledReconstruction implements ReconstructionDistribution {
    private static final long serialVersionUID = 1L;
    private final ReconstructionDistribution delegate;
    private final double beta;

    public BetaScaledReconstruction(ReconstructionDistribution delegate, double beta) {
        this.delegate = delegate;
        this.beta = beta;
    }

    @Override
    public boolean hasLossFunction() {
        return delegate.hasLossFunction();
    }

    @Override
    public int distributionInputSize(int dataSize) {
        return delegate.distributionInputSize(dataSize);
    }

    @Override
    public double negLogProbability(INDArray x, INDArray preOutDistributionParams, boolean average) {
        return delegate.negLogProbability(x, preOutDistributionParams, average) / beta;
    }

    @Override
    public INDArray exampleNegLogProbability(INDArray x, INDArray preOutDistributionParams) {
        return delegate.exampleNegLogProbability(x, preOutDistributionParams).divi(beta);
    }

    @Override
    public INDArray gradient(INDArray x, INDArray preOutDistributionParams) {
        return delegate.gradient(x, preOutDistributionParams).divi(beta);
    }

    @Override
    public INDArray generateRandom(INDArray preOutDistributionParams) {
        return delegate.generateRandom(preOutDistributionParams);
    }

    @Override
    public INDArray generateAtMean(INDArray preOutDistributionParams) {
        return delegate.generateAtMean(preOutDistributionParams);
    }
}
