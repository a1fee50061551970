package dev.anomaly.trainer.family;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The contractive penalty λ ||∂c/∂x||²_F, estimated by finite differences (Rifai et al.'s stochastic form): for input
 * noise ε ~ N(0, σ² I), E ||c(x + ε) - c(x)||² / σ² = ||J||²_F to first order. The minibatch is fed as its B clean rows
 * followed by the same rows with noise, so row i and row i + B form a pair; each pair's λ ||Δ||² / σ² is charged to
 * both its rows, so that DL4J's mean over the 2B rows is the mean penalty per record.
 */
final class ContractivePenalty extends CodePenalty {
    private static final long serialVersionUID = 1L;
    private final double lambda;
    private final double sigma;

    ContractivePenalty(double lambda, double sigma) {
        this.lambda = lambda;
        this.sigma = sigma;
    }

    private INDArray differences(INDArray code) {
        long b = code.size(0) / 2;
        return code.get(NDArrayIndex.interval(b, 2 * b), NDArrayIndex.all()).sub(code.get(NDArrayIndex.interval(0, b), NDArrayIndex.all()));
    }

    @Override
    INDArray rowScores(INDArray code) {
        INDArray pair = differences(code).muli(differences(code)).sum(true, 1).muli(lambda / (sigma * sigma));
        return org.nd4j.linalg.factory.Nd4j.vstack(pair, pair);
    }

    @Override
    INDArray gradient(INDArray code) {
        // Sum of row scores = 2 Σ_i λ ||Δ_i||² / σ²: its gradient is ±4 λ Δ_i / σ² on the noisy and the clean row.
        INDArray g = differences(code).muli(4 * lambda / (sigma * sigma));
        return org.nd4j.linalg.factory.Nd4j.vstack(g.neg(), g);
    }

    @Override
    public String name() {
        return "contractive(" + lambda + ", sigma " + sigma + ")";
    }
}
