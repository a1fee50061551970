package dev.anomaly.trainer.model;

import dev.anomaly.trainer.data.Dataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a {@link ModelFamily}'s network with Adam on shuffled minibatches, evaluating the held-out loss after every epoch and keeping
 * the best weights (early stopping with patience). Seeded: the same data and config give the same weights.
 */
public final class NetworkTrainer {
    private static final String JAVACPP_MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

    static {
        // JavaCPP (under ND4J) by default reads the process's resident memory from /proc at every native allocation to
        // enforce maxPhysicalBytes; DL4J allocates many small buffers per step, and that check took ~15 % of training
        // time (AE 1.72 -> 1.48 s/epoch in anomaly bench train). maxBytes (the heap size) still bounds ND4J's memory.
        // Set before ND4J's first use, which is in this class; an explicit -D setting wins.
        if (System.getProperty(JAVACPP_MAX_PHYSICAL_BYTES) == null) {
            System.setProperty(JAVACPP_MAX_PHYSICAL_BYTES, "0");
        }
    }

    private NetworkTrainer() {
    }

    public static TrainedNetwork train(Dataset train, Dataset validation, Normalizer normalizer, TrainingConfig config,
                                       ProgressListener progress) {
        int width = train.width();
        Nd4j.getRandom().setSeed(config.seed());
        Dl4jNetwork net = config.family().network(width, config);
        int n = train.rows();
        float[] zTrain = normalizer.apply(train.values(), n);
        float[] zVal = normalizer.apply(validation.values(), validation.rows());
        INDArray all = Nd4j.create(zTrain, new long[]{n, width}, 'c');
        SplittableRandom random = new SplittableRandom(config.seed());
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<Double> trainLoss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        INDArray bestParams = net.params().dup();
        int bestEpoch = 0;
        int sinceBest = 0;
        boolean stoppedEarly = false;
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            shuffle(order, random);
            INDArray shuffled = Nd4j.pullRows(all, 1, order);
            double lossSum = 0;
            for (int from = 0; from < n; from += config.batchSize()) {
                int to = Math.min(n, from + config.batchSize());
                INDArray target = shuffled.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
                INDArray input = target;
                if (config.denoise() > 0) {
                    input = target.add(Nd4j.randn(DataType.FLOAT, to - from, width).muli(config.denoise()));
                }
                net.fitBatch(input, target);
                lossSum += net.lastBatchScore() * (to - from);
            }
            double val = net.validationLoss(zVal, validation.rows());
            trainLoss.add(lossSum / n);
            valLoss.add(val);
            boolean improved = val < best;
            if (improved) {
                best = val;
                bestParams = net.params().dup();
                bestEpoch = epoch;
                sinceBest = 0;
            } else {
                sinceBest++;
            }
            progress.epoch(epoch, config.epochs(), lossSum / n, val, improved, (System.nanoTime() - start) / 1_000_000);
            if (!Double.isFinite(lossSum)) {
                throw new IllegalStateException("Training diverged at epoch " + epoch + " (loss " + lossSum / n
                        + "); lower the learning rate");
            }
            if (sinceBest >= config.patience()) {
                stoppedEarly = epoch < config.epochs();
                break;
            }
        }
        net.setParams(bestParams);
        double secondsPerEpoch = (System.nanoTime() - start) / 1e9 / trainLoss.size();
        NetworkWeights weights = config.family().withTrainingStatistics(net.weights(normalizer), net, zTrain, n);
        return new TrainedNetwork(weights,
                new TrainingHistory(trainLoss, valLoss, bestEpoch, stoppedEarly, secondsPerEpoch), net);
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
