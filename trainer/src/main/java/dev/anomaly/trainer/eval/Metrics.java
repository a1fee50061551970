package dev.anomaly.trainer.eval;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Ranking and threshold metrics for anomaly scores against 0/1 labels (1 = anomaly, higher score = more anomalous). */
public final class Metrics {
    private Metrics() {
    }

    /** Area under the ROC curve, with ties counted half (the Mann-Whitney statistic). */
    public static double auroc(double[] scores, int[] labels) {
        int n = scores.length;
        Integer[] idx = order(scores);
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[idx[k]] = rank;
            }
            i = j + 1;
        }
        long pos = Arrays.stream(labels).filter(l -> l == 1).count();
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        double rankSum = 0;
        for (int k = 0; k < n; k++) {
            if (labels[k] == 1) {
                rankSum += ranks[k];
            }
        }
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /** Average precision (area under the precision-recall curve as a step function), as scikit-learn computes it. */
    public static double averagePrecision(double[] scores, int[] labels) {
        int n = scores.length;
        Integer[] idx = order(scores);
        long pos = Arrays.stream(labels).filter(l -> l == 1).count();
        if (pos == 0) {
            return Double.NaN;
        }
        double ap = 0;
        long tp = 0;
        long fp = 0;
        double prevRecall = 0;
        int i = n - 1;
        while (i >= 0) {
            // all items tied at this score enter together
            int j = i;
            while (j - 1 >= 0 && scores[idx[j - 1]] == scores[idx[i]]) {
                j--;
            }
            for (int k = j; k <= i; k++) {
                if (labels[idx[k]] == 1) {
                    tp++;
                } else {
                    fp++;
                }
            }
            double recall = (double) tp / pos;
            double precision = (double) tp / (tp + fp);
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            i = j - 1;
        }
        return ap;
    }

    /** Confusion counts at a threshold: score > threshold is an alert. */
    public record AtThreshold(double threshold, long truePositives, long falsePositives, long falseNegatives, long trueNegatives) {
        public double precision() {
            return truePositives + falsePositives == 0 ? 0 : (double) truePositives / (truePositives + falsePositives);
        }

        public double recall() {
            return truePositives + falseNegatives == 0 ? 0 : (double) truePositives / (truePositives + falseNegatives);
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }

        public double falseAlarmRate() {
            return falsePositives + trueNegatives == 0 ? 0 : (double) falsePositives / (falsePositives + trueNegatives);
        }
    }

    public static AtThreshold atThreshold(double[] scores, int[] labels, double threshold) {
        long tp = 0;
        long fp = 0;
        long fn = 0;
        long tn = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean alert = scores[i] > threshold;
            if (labels[i] == 1) {
                if (alert) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (alert) {
                fp++;
            } else {
                tn++;
            }
        }
        return new AtThreshold(threshold, tp, fp, fn, tn);
    }

    /** Points of the ROC curve (false-positive rate, true-positive rate), from the highest threshold down. */
    public static double[][] rocCurve(double[] scores, int[] labels) {
        return curve(scores, labels, true);
    }

    /** Points of the precision-recall curve (recall, precision), from the highest threshold down. */
    public static double[][] prCurve(double[] scores, int[] labels) {
        return curve(scores, labels, false);
    }

    private static double[][] curve(double[] scores, int[] labels, boolean roc) {
        Integer[] idx = order(scores);
        long pos = Arrays.stream(labels).filter(l -> l == 1).count();
        long neg = labels.length - pos;
        double[] xs = new double[scores.length + 1];
        double[] ys = new double[scores.length + 1];
        int m = 0;
        xs[m] = 0;
        ys[m++] = roc ? 0 : 1;
        long tp = 0;
        long fp = 0;
        for (int i = scores.length - 1; i >= 0; i--) {
            if (labels[idx[i]] == 1) {
                tp++;
            } else {
                fp++;
            }
            if (i == 0 || scores[idx[i - 1]] != scores[idx[i]]) {
                xs[m] = roc ? (double) fp / Math.max(1, neg) : (double) tp / Math.max(1, pos);
                ys[m++] = roc ? (double) tp / Math.max(1, pos) : (double) tp / (tp + fp);
            }
        }
        return new double[][]{Arrays.copyOf(xs, m), Arrays.copyOf(ys, m)};
    }

    private static Integer[] order(double[] scores) {
        Integer[] idx = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.comparingDouble(i -> scores[i]));
        return idx;
    }
}
