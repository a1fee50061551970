package dev.anomaly.trainer.reference;

import java.util.SplittableRandom;

/**
 * Liu, Ting and Zhou's isolation forest with scikit-learn's defaults: 100 trees, each on 256 rows drawn without
 * replacement, grown to depth ceil(log2 256) = 8 by random splits (a random column, a uniform cut between its min and
 * max); score 2^(-E[h(x)] / c(256)), where a leaf holding n rows adds c(n), the average path length of an unsuccessful
 * search in a binary search tree of n keys.
 */
public record IsolationForest(int trees, int sampleSize) implements ReferenceDetector {
    public IsolationForest() {
        this(100, 256);
    }

    @Override
    public String name() {
        return "IsolationForest";
    }

    @Override
    public double[] fitScore(float[] train, int trainRows, float[] test, int testRows, int width, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int psi = Math.min(sampleSize, trainRows);
        int depth = (int) Math.ceil(Math.log(Math.max(psi, 2)) / Math.log(2));
        double[] pathSum = new double[testRows];
        for (int t = 0; t < trees; t++) {
            int[] sample = sample(trainRows, psi, random);
            Node root = grow(train, width, sample, sample.length, 0, depth, random);
            for (int r = 0; r < testRows; r++) {
                pathSum[r] += pathLength(root, test, r * width, 0);
            }
        }
        double norm = averagePath(psi);
        double[] scores = new double[testRows];
        for (int r = 0; r < testRows; r++) {
            scores[r] = Math.pow(2, -(pathSum[r] / trees) / norm);
        }
        return scores;
    }

    private record Node(int column, double cut, Node left, Node right, int size) {
    }

    private static int[] sample(int n, int k, SplittableRandom random) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) { // partial Fisher-Yates: the first k are a uniform sample without replacement
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, k);
    }

    private static Node grow(float[] x, int w, int[] rows, int n, int level, int maxDepth, SplittableRandom random) {
        if (level >= maxDepth || n <= 1) {
            return new Node(-1, 0, null, null, n);
        }
        // A random column among those that are not constant on these rows.
        int[] candidates = new int[w];
        double[] min = new double[w];
        double[] max = new double[w];
        int c = 0;
        for (int j = 0; j < w; j++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double v = x[rows[i] * w + j];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (hi > lo) {
                min[c] = lo;
                max[c] = hi;
                candidates[c++] = j;
            }
        }
        if (c == 0) {
            return new Node(-1, 0, null, null, n);
        }
        int k = random.nextInt(c);
        int column = candidates[k];
        double cut = min[k] + random.nextDouble() * (max[k] - min[k]);
        int[] left = new int[n];
        int[] right = new int[n];
        int nl = 0;
        int nr = 0;
        for (int i = 0; i < n; i++) {
            if (x[rows[i] * w + column] < cut) {
                left[nl++] = rows[i];
            } else {
                right[nr++] = rows[i];
            }
        }
        return new Node(column, cut, grow(x, w, left, nl, level + 1, maxDepth, random), grow(x, w, right, nr, level + 1, maxDepth, random), n);
    }

    private static double pathLength(Node node, float[] x, int at, int level) {
        if (node.column() < 0) {
            return level + averagePath(node.size());
        }
        return pathLength(x[at + node.column()] < node.cut() ? node.left() : node.right(), x, at, level + 1);
    }

    /** c(n) = 2 H(n - 1) - 2 (n - 1) / n, with H(i) ~ ln(i) + Euler's constant; c(1) = 0, c(2) = 1. */
    static double averagePath(int n) {
        if (n <= 1) {
            return 0;
        }
        if (n == 2) {
            return 1;
        }
        return 2 * (Math.log(n - 1) + 0.5772156649015329) - 2.0 * (n - 1) / n;
    }
}
