package dev.anomaly.trainer;

import dev.anomaly.trainer.eval.Metrics;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.reference.ReferenceDetector;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The unsupervised benchmark protocol of ADBench: for each seed, a stratified 70/30 split; fit on the 70 % with its
 * anomalies left in and labels ignored; score the 30 %; AUROC and AUPRC (average precision), averaged over seeds.
 */
public final class EvaluationProtocol {
    private EvaluationProtocol() {
    }

    /**
     * @param falseAlarmRate the share of the test split's normal records above the model's threshold (NaN for
     *                       reference detectors, which have none)
     * @param targetRate     the alert rate the threshold was calibrated for
     */
    public record SeedResult(long seed, double auroc, double auprc, int epochs, double seconds, double falseAlarmRate, double targetRate) {
    }

    public record Result(String dataset, String model, List<SeedResult> seeds) {
        public double meanAuroc() {
            return seeds.stream().mapToDouble(SeedResult::auroc).average().orElse(Double.NaN);
        }

        public double meanAuprc() {
            return seeds.stream().mapToDouble(SeedResult::auprc).average().orElse(Double.NaN);
        }

        public double meanFalseAlarmRate() {
            return seeds.stream().mapToDouble(SeedResult::falseAlarmRate).average().orElse(Double.NaN);
        }

        public double seconds() {
            return seeds.stream().mapToDouble(SeedResult::seconds).sum();
        }
    }

    /**
     * @param configFor the training configuration for the training part (so defaults may depend on its size)
     */
    public static Result run(Dataset labelled, String name, List<Long> seeds, Function<Dataset, TrainingConfig> configFor,
                             ProgressListener progress) {
        int[] labels = labelled.labels().orElseThrow(() -> new IllegalArgumentException("evaluation needs a label column"));
        List<SeedResult> results = new ArrayList<>();
        String model = null;
        for (long seed : seeds) {
            Dataset[] split = stratifiedSplit(labelled, labels, 0.7, seed);
            Dataset fit = split[0];
            Dataset test = split[1];
            TrainingConfig config = configFor.apply(fit).withSeed(seed);
            model = config.family().kind().name();
            long t0 = System.nanoTime();
            // The fit part keeps its anomalies and loses its labels: training is unsupervised.
            Dataset unlabelled = new Dataset(fit.spec(), fit.values(), fit.rows(), java.util.Optional.empty(), fit.source());
            TrainingJob.Outcome outcome = TrainingJob.run(unlabelled, config, name, 1, progress);
            double[] scores = TrainingJob.scores(outcome.onnx(), dev.anomaly.trainer.data.Bucketing.conform(test, outcome.metadata().featureSpec()));
            int[] testLabels = test.labels().orElseThrow();
            long normals = 0;
            long falseAlarms = 0;
            for (int i = 0; i < scores.length; i++) {
                if (testLabels[i] == 0) {
                    normals++;
                    falseAlarms += outcome.metadata().isAlert(scores[i]) ? 1 : 0;
                }
            }
            results.add(new SeedResult(seed, Metrics.auroc(scores, testLabels), Metrics.averagePrecision(scores, testLabels),
                    outcome.network().history().epochs(), (System.nanoTime() - t0) / 1e9, (double) falseAlarms / Math.max(1, normals),
                    config.targetAlertRate()));
        }
        return new Result(name, model, results);
    }

    /** A reference detector on the same splits (same seeds, same 70/30 cut), fitted on the 70 % with its anomalies. */
    public static Result runReference(Dataset labelled, String name, List<Long> seeds, ReferenceDetector detector) {
        int[] labels = labelled.labels().orElseThrow(() -> new IllegalArgumentException("evaluation needs a label column"));
        List<SeedResult> results = new ArrayList<>();
        for (long seed : seeds) {
            Dataset[] split = stratifiedSplit(labelled, labels, 0.7, seed);
            long t0 = System.nanoTime();
            double[] scores = detector.fitScore(split[0].values(), split[0].rows(), split[1].values(), split[1].rows(), labelled.width(), seed);
            int[] testLabels = split[1].labels().orElseThrow();
            results.add(new SeedResult(seed, Metrics.auroc(scores, testLabels), Metrics.averagePrecision(scores, testLabels), 0,
                    (System.nanoTime() - t0) / 1e9, Double.NaN, Double.NaN));
        }
        return new Result(name, detector.name(), results);
    }

    /** Per class, a seeded shuffle; the first {@code fraction} of each class goes to the first part. */
    static Dataset[] stratifiedSplit(Dataset data, int[] labels, double fraction, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> first = new ArrayList<>();
        List<Integer> second = new ArrayList<>();
        for (int cls = 0; cls <= 1; cls++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == cls) {
                    members.add(i);
                }
            }
            for (int i = members.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            int cut = (int) Math.round(members.size() * fraction);
            first.addAll(members.subList(0, cut));
            second.addAll(members.subList(cut, members.size()));
        }
        return new Dataset[]{data.select(first.stream().sorted().mapToInt(Integer::intValue).toArray(), "fit 70%"),
                data.select(second.stream().sorted().mapToInt(Integer::intValue).toArray(), "test 30%")};
    }
}
