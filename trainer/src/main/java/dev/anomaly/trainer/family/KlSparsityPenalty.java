package dev.anomaly.trainer.family;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The KL-sparsity penalty w Σ_j KL(ρ || ρ̂_j), where ρ̂_j is code unit j's mean activation over the minibatch, read
 * through a logistic (the loss layer's activation) so that it lies in (0, 1). The minibatch's penalty is charged to each
 * of its rows, so that DL4J's mean over the rows is the penalty.
 */
final class KlSparsityPenalty extends CodePenalty {
    private static final long serialVersionUID = 1L;
    private static final double EPS = 1e-6;
    private final double rho;
    private final double weight;

    KlSparsityPenalty(double rho, double weight) {
        this.rho = rho;
        this.weight = weight;
    }

    private INDArray meanActivation(INDArray activation) {
        return Transforms.max(Transforms.min(activation.mean(true, 0), 1 - EPS), EPS);
    }

    @Override
    INDArray rowScores(INDArray activation) {
        INDArray hat = meanActivation(activation);
        INDArray kl = Transforms.log(hat.rdiv(rho)).muli(rho)
                .addi(Transforms.log(hat.rsub(1).rdivi(1 - rho)).muli(1 - rho));
        return Nd4j.valueArrayOf(new long[]{activation.size(0), 1}, weight * kl.sumNumber().doubleValue(), activation.dataType());
    }

    @Override
    INDArray gradient(INDArray activation) {
        // Sum of row scores = B w KL(ρ̂); ∂ρ̂_j/∂a_ij = 1/B, so each row's gradient is w (-ρ/ρ̂_j + (1-ρ)/(1-ρ̂_j)).
        INDArray hat = meanActivation(activation);
        INDArray d = hat.rdiv(-rho).addi(hat.rsub(1).rdivi(1 - rho)).muli(weight);
        return Nd4j.ones(activation.dataType(), activation.size(0), 1).mmul(d);
    }

    @Override
    public String name() {
        return "kl-sparsity(rho " + rho + ", weight " + weight + ")";
    }
}
