package dev.anomaly.trainer.nab;

import java.util.Arrays;
import java.util.List;

/**
 * NAB's scoring of detections against labelled windows (docs/evaluation.md, NAB; {@code ../shared/nab/README.md}).
 * Per series: a detection inside a window of width w ending at row r, at row i, has position y = -(r - i + 1) / w and
 * earns A_TP σ(y) / σ(-1), only the earliest detection of each window counting; a window without one costs A_FN; a
 * detection outside every window, at y = (i - r_prev) / (w_prev - 1) past the previous window's end (or far from any
 * window when none came before), costs A_FP σ(y), where σ(y) = 2 / (1 + e^{5y}) - 1, and -1 beyond y = 3. Detections in
 * the probationary period are ignored.
 */
public final class NabScorer {
    private NabScorer() {
    }

    /** One series: detections per row, its windows (row indices, inclusive), and the length of its probationary period. */
    public record Series(boolean[] detected, List<int[]> windows, int probation) {
        public static int probation(int rows) {
            return Math.min((int) Math.floor(0.15 * rows), 750);
        }
    }

    /** The scaled sigmoid of NAB. */
    static double sigma(double y) {
        if (y > 3) {
            return -1;
        }
        return 2 / (1 + Math.exp(5 * y)) - 1;
    }

    /** The raw score of one series under {@code p}. */
    public static double raw(Series s, NabProfile p) {
        boolean[] d = s.detected();
        List<int[]> windows = s.windows().stream().sorted((a, b) -> Integer.compare(a[0], b[0])).toList();
        double score = 0;
        boolean[] hit = new boolean[windows.size()];
        for (int i = Math.max(0, s.probation()); i < d.length; i++) {
            if (!d[i]) {
                continue;
            }
            int inside = -1;
            int previous = -1;
            for (int k = 0; k < windows.size(); k++) {
                int[] w = windows.get(k);
                if (i >= w[0] && i <= w[1]) {
                    inside = k;
                } else if (w[1] < i) {
                    previous = k;
                }
            }
            if (inside >= 0) {
                if (!hit[inside]) { // the earliest detection of the window is its best
                    hit[inside] = true;
                    int[] w = windows.get(inside);
                    double width = w[1] - w[0] + 1;
                    double y = -(w[1] - i + 1) / width;
                    score += p.truePositive() * sigma(y) / sigma(-1);
                }
            } else if (previous < 0) {
                score -= p.falsePositive();
            } else {
                int[] w = windows.get(previous);
                double y = (i - w[1]) / Math.max(1.0, w[1] - w[0]);
                score += p.falsePositive() * sigma(y);
            }
        }
        for (boolean h : hit) {
            if (!h) {
                score -= p.falseNegative();
            }
        }
        return score;
    }

    /** 100 (raw - null) / (perfect - null) over all series: the null detector misses every window, the perfect one hits each at its start. */
    public static double normalised(List<Series> series, NabProfile p) {
        double raw = 0;
        long windows = 0;
        for (Series s : series) {
            raw += raw(s, p);
            windows += s.windows().size();
        }
        double nullScore = -p.falseNegative() * windows;
        double perfect = p.truePositive() * windows;
        return windows == 0 ? Double.NaN : 100 * (raw - nullScore) / (perfect - nullScore);
    }

    /** The best normalised score over thresholds (score ≥ threshold is a detection), and the threshold. */
    public record Best(double threshold, double score) {
    }

    /**
     * Sweeps {@code candidates} thresholds over the scores of every series (their quantiles, so the sweep is bounded) and
     * keeps the best for {@code p}, one threshold for the whole corpus as NAB does.
     *
     * @param scores per series, a score per row in [0, 1]
     */
    public static Best bestThreshold(List<double[]> scores, List<List<int[]>> windows, List<Integer> probations, NabProfile p, int candidates) {
        double[] all = scores.stream().flatMapToDouble(Arrays::stream).sorted().distinct().toArray();
        Best best = new Best(Double.POSITIVE_INFINITY, normalised(detections(scores, windows, probations, Double.POSITIVE_INFINITY), p));
        int steps = Math.min(candidates, all.length);
        for (int k = 0; k < steps; k++) {
            double t = all[(int) ((long) k * (all.length - 1) / Math.max(1, steps - 1))];
            double s = normalised(detections(scores, windows, probations, t), p);
            if (s > best.score()) {
                best = new Best(t, s);
            }
        }
        return best;
    }

    public static List<Series> detections(List<double[]> scores, List<List<int[]>> windows, List<Integer> probations, double threshold) {
        java.util.ArrayList<Series> out = new java.util.ArrayList<>();
        for (int k = 0; k < scores.size(); k++) {
            double[] sc = scores.get(k);
            boolean[] d = new boolean[sc.length];
            for (int i = 0; i < sc.length; i++) {
                d[i] = sc[i] >= threshold;
            }
            out.add(new Series(d, windows.get(k), probations.get(k)));
        }
        return out;
    }
}
