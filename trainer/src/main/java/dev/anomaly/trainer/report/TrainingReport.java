package dev.anomaly.trainer.report;

import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.eval.Metrics;
import dev.anomaly.trainer.model.TrainingHistory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTML page with PNG pictures about one training run — loss curves, the held-out scores (normal rows and labelled
 * anomalies apart) with the threshold, a 2-D view of the latent space, ROC and precision-recall curves with the
 * threshold's operating point and their baselines when labels exist — each with one sentence on how to read it, and the
 * model's metadata.
 */
public final class TrainingReport {
    private TrainingReport() {
    }

    /** Writes {@code index.html} and its images into {@code dir}; returns the page. */
    public static Path write(Path dir, TrainingJob.Outcome outcome) throws IOException {
        return write(dir, outcome, Map.of());
    }

    /**
     * As {@link #write(Path, TrainingJob.Outcome)}, with the latent pictures of other families trained on the same rows
     * ({@code anomaly train --compare ae,vae}) beside this model's, keyed by the family's name.
     */
    public static Path write(Path dir, TrainingJob.Outcome outcome, Map<String, TrainingJob.Outcome> compared) throws IOException {
        Files.createDirectories(dir);
        ModelMetadata m = outcome.metadata();
        TrainingHistory h = outcome.network().history();
        double[] epochs = new double[h.epochs()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        double[] trainLoss = h.trainLoss().stream().mapToDouble(Double::doubleValue).toArray();
        double[] heldOutLoss = h.validationLoss().stream().mapToDouble(Double::doubleValue).toArray();
        new Chart("Loss per epoch", "epoch", "loss (lower is better)")
                .line("training", epochs, trainLoss, Chart.PALETTE[0])
                .line("held-out", epochs, heldOutLoss, Chart.PALETTE[1])
                .point("best held-out (epoch " + h.bestEpoch() + ")", h.bestEpoch(), heldOutLoss[h.bestEpoch() - 1], Chart.PALETTE[2])
                .integerX().save(dir.resolve("loss.png"));

        double[] scores = outcome.validationScores();
        Optional<int[]> labels = outcome.validation().labels();
        histogram(scores, labels, m.threshold()).save(dir.resolve("scores.png"));
        latentChart(outcome).save(dir.resolve("latent.png"));

        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Training report: ")
                .append(esc(m.modelId())).append(" v").append(m.version()).append("</title><style>")
                .append("body{font-family:sans-serif;max-width:1340px;margin:20px auto;color:#222}")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}")
                .append("td.n{text-align:right}figure{display:inline-block;width:640px;margin:6px;vertical-align:top}")
                .append("figure img{border:1px solid #ddd}figcaption{font-size:90%;color:#444;margin-top:4px}</style></head><body>");
        html.append("<h1>").append(esc(m.modelId())).append(" v").append(m.version()).append(" — ").append(m.kind()).append("</h1>");
        html.append("<p>Trained ").append(m.createdAt()).append(" on ").append(String.format("%,d", outcome.train().rows())).append(" rows; ")
                .append(String.format("%,d", outcome.validation().rows())).append(" held out. ").append(esc(outcome.parity().toString())).append("</p>");
        html.append("<p>Threshold <b>").append(String.format("%.6g", m.threshold())).append("</b>: the ")
                .append(String.format("%.2f", 100 * (1 - m.falseAlarmRate()))).append(" % quantile of held-out scores (target alert rate ")
                .append(String.format("%.2f %%", 100 * m.falseAlarmRate())).append(").</p>");
        outcome.evaluation().ifPresent(e -> {
            html.append("<h2>Evaluation on the held-out rows (").append(String.format("%,d", e.rows())).append(" rows, ")
                    .append(String.format("%,d", e.anomalies())).append(" labelled anomalies)</h2>");
            html.append("<table><tr><th>AUROC</th><th>AUPRC</th><th>precision</th><th>recall</th><th>F1</th><th>false-alarm rate</th></tr><tr>")
                    .append(td(e.auroc())).append(td(e.auprc())).append(td(e.atThreshold().precision()))
                    .append(td(e.atThreshold().recall())).append(td(e.atThreshold().f1())).append(td(e.atThreshold().falseAlarmRate()))
                    .append("</tr></table>");
        });
        html.append("<h2>Pictures</h2>");
        figure(html, "loss.png", "The loss on the training rows and on the held-out rows after each epoch. Training keeps the"
                + " weights of the best held-out epoch (marked); a held-out curve that rises while the training one falls means"
                + " the model starts to memorise.");
        figure(html, "scores.png", labels.isPresent()
                ? "How the held-out rows score, normal rows and labelled anomalies each as a share of their own kind. Rows right of"
                + " the threshold line alert: the less the two shapes overlap, and the more of the anomalies lie right of the line,"
                + " the better the model separates them."
                : "How the held-out rows score. Rows right of the threshold line alert, about the target alert rate of them;"
                + " a long right tail is what anomalies look like to this model.");
        figure(html, "latent.png", "Each held-out row where the model's code places it (the first two principal axes when the"
                + " code has more than two dimensions). Normal rows should form dense regions; "
                + (labels.isPresent() ? "labelled anomalies" : "alerts") + " often sit apart from them.");
        if (!compared.isEmpty()) {
            html.append("<h2>Latent spaces side by side</h2><p>The same held-out rows placed by each family trained on the same"
                    + " training rows. A VAE's codes are pulled towards N(0, I): a compact, centred cloud, so a random draw from"
                    + " N(0, I) lands among real codes and decodes to a plausible record (it can generate). A plain AE's codes"
                    + " sit wherever training put them, at any scale, with gaps that decode to nothing in particular.</p>");
            for (Map.Entry<String, TrainingJob.Outcome> other : compared.entrySet()) {
                String image = "latent-" + other.getKey().replaceAll("[^a-zA-Z0-9-]", "") + ".png";
                Chart chart = latentChart(other.getValue());
                chart.save(dir.resolve(image));
                figure(html, image, other.getKey() + " trained on the same rows.");
            }
        }
        if (outcome.network().weights().family() instanceof dev.anomaly.trainer.model.GenerativeFamily) {
            samples(html, outcome);
        }
        if (outcome.evaluation().isPresent()) {
            var e = outcome.evaluation().get();
            int[] y = labels.orElseThrow();
            double[][] roc = Metrics.rocCurve(scores, y);
            double[][] pr = Metrics.prCurve(scores, y);
            new Chart(String.format("ROC curve (AUROC %.3f)", e.auroc()), "false-positive rate", "true-positive rate (recall)")
                    .baseline("random ranking", new double[]{0, 1}, new double[]{0, 1})
                    .line("model", roc[0], roc[1], Chart.PALETTE[0])
                    .point(String.format("threshold (%.3f, %.3f)", e.atThreshold().falseAlarmRate(), e.atThreshold().recall()),
                            e.atThreshold().falseAlarmRate(), e.atThreshold().recall(), Chart.PALETTE[1])
                    .range(0, 1, 0, 1).legendAt(org.knowm.xchart.style.Styler.LegendPosition.InsideSE).save(dir.resolve("roc.png"));
            double baseRate = (double) e.anomalies() / e.rows();
            new Chart(String.format("Precision-recall curve (AUPRC %.3f)", e.auprc()), "recall", "precision")
                    .baseline(String.format("base rate %.3f", baseRate), new double[]{0, 1}, new double[]{baseRate, baseRate})
                    .line("model", pr[0], pr[1], Chart.PALETTE[0])
                    .point(String.format("threshold (%.3f, %.3f)", e.atThreshold().recall(), e.atThreshold().precision()),
                            e.atThreshold().recall(), e.atThreshold().precision(), Chart.PALETTE[1])
                    .range(0, 1, 0, 1).legendAt(org.knowm.xchart.style.Styler.LegendPosition.InsideSW).save(dir.resolve("pr.png"));
            figure(html, "roc.png", "For every possible threshold, the share of anomalies caught against the share of normal rows"
                    + " flagged. The diamond is this model's threshold; the dashed diagonal is a random ranking (AUROC 0.5).");
            figure(html, "pr.png", "For every possible threshold, how many alerts are real (precision) against how many anomalies"
                    + " are caught (recall): what an on-call engineer feels. The diamond is this model's threshold; the dashed line"
                    + " is the share of anomalies, the precision of alerting at random.");
        }
        html.append("<h2>Features</h2><table><tr><th>#</th><th>name</th><th>path</th><th>type</th></tr>");
        for (int i = 0; i < m.featureSpec().features().size(); i++) {
            var f = m.featureSpec().features().get(i);
            html.append("<tr><td class=\"n\">").append(i).append("</td><td>").append(esc(f.name())).append("</td><td>").append(esc(f.path()))
                    .append("</td><td>").append(f.type()).append(f.categories().isEmpty() ? "" : " " + esc(f.categories().toString()))
                    .append("</td></tr>");
        }
        html.append("</table>");
        table(html, "Hyper-parameters", new TreeMap<>(m.hyperParameters()));
        table(html, "Metrics", ordered(m.metrics()));
        html.append("<p>Training data fingerprint: <code>").append(esc(m.trainingFingerprint())).append("</code></p></body></html>");
        Path page = dir.resolve("index.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        return page;
    }

    /**
     * A grid of records decoded from the prior (raw units, each scored by the model) beside the training rows' means:
     * what the model thinks a normal record looks like.
     */
    private static void samples(StringBuilder html, TrainingJob.Outcome outcome) {
        var net = outcome.network().weights();
        var spec = outcome.metadata().featureSpec();
        var generator = dev.anomaly.trainer.generate.Generator.of(net, spec);
        int shown = 12;
        int drawn = 1000;
        float[] many = generator.sample(drawn, new java.util.SplittableRandom(1));
        double[] scores = dev.anomaly.trainer.model.ReferenceScorer.score(net, many, drawn).score();
        long above = Arrays.stream(scores).filter(outcome.metadata()::isAlert).count();
        int f = net.width();
        java.util.List<String> columns = spec.columnNames();
        html.append("<h2>Decoded samples</h2><p>Records drawn from the model's prior and decoded, in raw units, each with its"
                + " score; the first row is the training rows' mean. Of ").append(String.format("%,d", drawn))
                .append(" drawn, ").append(String.format("%.1f %%", 100.0 * above / drawn))
                .append(" score above the threshold (<code>anomaly sample</code> writes such records).</p><table><tr><th>#</th>");
        columns.forEach(c -> html.append("<th>").append(esc(c)).append("</th>"));
        html.append("<th>score</th></tr><tr><td>mean</td>");
        var train = outcome.train();
        for (int j = 0; j < f; j++) {
            double mean = 0;
            for (int r = 0; r < train.rows(); r++) {
                mean += train.get(r, j) / train.rows();
            }
            html.append(td(mean));
        }
        html.append("<td></td></tr>");
        for (int r = 0; r < shown; r++) {
            html.append("<tr><td class=\"n\">").append(r + 1).append("</td>");
            for (int j = 0; j < f; j++) {
                html.append(td(many[r * f + j]));
            }
            html.append(td(scores[r])).append("</tr>");
        }
        html.append("</table>");
    }

    private static void figure(StringBuilder html, String image, String caption) {
        html.append("<figure><img src=\"").append(image).append("\" width=\"640\"><figcaption>").append(esc(caption))
                .append("</figcaption></figure>");
    }

    /** Metrics in reading order: detection quality, then training, then the rest by name. */
    static Map<String, Double> ordered(Map<String, Double> metrics) {
        List<String> first = List.of("auroc", "auprc", "precision", "recall", "f1", "false_alarm_rate", "train_loss", "validation_loss",
                "epochs", "best_epoch", "seconds_per_epoch", "train_rows", "validation_rows");
        Map<String, Double> out = new LinkedHashMap<>();
        first.forEach(k -> {
            if (metrics.containsKey(k)) {
                out.put(k, metrics.get(k));
            }
        });
        new TreeMap<>(metrics).forEach(out::putIfAbsent);
        return out;
    }

    /**
     * Held-out scores in 50 bins from the lowest score to a right edge that keeps the bulk readable (the 99.5th
     * percentile, or a little past the threshold). With labels: normal rows and labelled anomalies each as a share of
     * their own kind; without: row counts.
     */
    private static Chart histogram(double[] scores, Optional<int[]> labels, double threshold) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        // Bins on round numbers, so that the axis ticks fall on them: 0 (scores are never negative) to a round edge.
        double lo = Math.min(0, sorted[0]);
        double wanted = Math.max(sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.995))], threshold * 1.15);
        double width = nice((wanted - lo) / 50);
        int bins = (int) Math.max(10, Math.ceil((wanted - lo) / width - 1e-9));
        double hi = lo + bins * width;
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            edges[i] = lo + i * width;
        }
        double[][] counts = new double[2][bins];
        int beyond = 0;
        for (int i = 0; i < scores.length; i++) {
            int kind = labels.isPresent() ? labels.get()[i] : 0;
            if (scores[i] > hi) {
                beyond++;
                continue;
            }
            counts[kind][Math.min(bins - 1, (int) ((scores[i] - lo) / width))]++;
        }
        String title = "Held-out scores" + (beyond > 0 ? String.format(" (%,d beyond the right edge)", beyond) : "");
        if (labels.isEmpty()) {
            double top = Arrays.stream(counts[0]).max().orElse(1);
            return new Chart(title, "anomaly score", "rows").histogram("held-out rows", edges, counts[0], Chart.PALETTE[0])
                    .range(lo, hi, 0, top * 1.1).legendAt(org.knowm.xchart.style.Styler.LegendPosition.OutsideS)
                    .verticalLine(threshold, top * 1.05, String.format("threshold %.4g", threshold));
        }
        for (int k = 0; k < 2; k++) {
            double total = Arrays.stream(counts[k]).sum();
            for (int b = 0; b < bins; b++) {
                counts[k][b] = total == 0 ? 0 : 100 * counts[k][b] / total;
            }
        }
        double top = Math.max(Arrays.stream(counts[0]).max().orElse(1), Arrays.stream(counts[1]).max().orElse(1));
        return new Chart(title, "anomaly score", "share of its kind")
                .histogram("normal rows", edges, counts[0], Chart.PALETTE[0])
                .histogram("labelled anomalies", edges, counts[1], Chart.PALETTE[1])
                .percentY().range(lo, hi, 0, top * 1.1).legendAt(org.knowm.xchart.style.Styler.LegendPosition.OutsideS)
                .verticalLine(threshold, top * 1.05, String.format("threshold %.4g", threshold));
    }

    /** The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least {@code x}. */
    static double nice(double x) {
        if (!(x > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(x)));
        for (double m : new double[]{1, 2, 2.5, 5, 10}) {
            if (m * p >= x * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Latent codes (AE) or means (VAE) of held-out rows; projected on their two principal axes when k > 2. */
    private static Chart latentChart(TrainingJob.Outcome outcome) {
        int n = outcome.validation().rows();
        int k = outcome.network().weights().latent();
        float[] latent = outcome.validationLatent();
        double[][] xy = project(latent, n, k);
        int[] flag = outcome.validation().labels().orElseGet(() -> {
            int[] alerts = new int[n];
            for (int i = 0; i < n; i++) {
                alerts[i] = outcome.metadata().isAlert(outcome.validationScores()[i]) ? 1 : 0;
            }
            return alerts;
        });
        String flagged = outcome.validation().labels().isPresent() ? "labelled anomaly" : "alert";
        int count = Arrays.stream(flag).sum();
        double[][] normal = new double[2][n - count];
        double[][] odd = new double[2][count];
        int a = 0;
        int b = 0;
        for (int i = 0; i < n; i++) {
            if (flag[i] == 1) {
                odd[0][b] = xy[0][i];
                odd[1][b++] = xy[1][i];
            } else {
                normal[0][a] = xy[0][i];
                normal[1][a++] = xy[1][i];
            }
        }
        String kind = outcome.metadata().kind().name();
        String title = kind + " latent space" + (k > 2 ? " (first two principal axes of " + k + ")" : "");
        return new Chart(title, k > 2 ? "principal axis 1" : "latent dimension 1", k > 2 ? "principal axis 2" : "latent dimension 2")
                .scatter(String.format("normal (%,d)", normal[0].length), normal[0], normal[1], Chart.PALETTE[0])
                .scatter(String.format("%s (%,d)", flagged, odd[0].length), odd[0], odd[1], Chart.PALETTE[1]);
    }

    static double[][] project(float[] latent, int n, int k) {
        double[][] out = new double[2][n];
        if (k == 1) {
            for (int i = 0; i < n; i++) {
                out[0][i] = latent[i];
            }
            return out;
        }
        double[] mean = new double[k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                mean[j] += latent[i * k + j] / n;
            }
        }
        double[][] cov = new double[k][k];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    cov[p][q] += (latent[i * k + p] - mean[p]) * (latent[i * k + q] - mean[q]) / n;
                }
            }
        }
        double[] v1 = powerIteration(cov, null);
        double[] v2 = powerIteration(cov, v1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double c = latent[i * k + j] - mean[j];
                out[0][i] += c * v1[j];
                out[1][i] += c * v2[j];
            }
        }
        return out;
    }

    private static double[] powerIteration(double[][] cov, double[] orthogonalTo) {
        int k = cov.length;
        double[] v = new double[k];
        for (int j = 0; j < k; j++) {
            v[j] = 1.0 / Math.sqrt(k) + 0.01 * j;
        }
        for (int it = 0; it < 200; it++) {
            double[] w = new double[k];
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    w[p] += cov[p][q] * v[q];
                }
            }
            if (orthogonalTo != null) {
                double dot = 0;
                for (int j = 0; j < k; j++) {
                    dot += w[j] * orthogonalTo[j];
                }
                for (int j = 0; j < k; j++) {
                    w[j] -= dot * orthogonalTo[j];
                }
            }
            double norm = Math.sqrt(Arrays.stream(w).map(x -> x * x).sum());
            if (norm < 1e-12) {
                break;
            }
            for (int j = 0; j < k; j++) {
                v[j] = w[j] / norm;
            }
        }
        return v;
    }

    private static void table(StringBuilder html, String title, Map<String, ?> values) {
        html.append("<h2>").append(title).append("</h2><table>");
        values.forEach((k, v) -> html.append("<tr><th>").append(esc(k)).append("</th><td class=\"n\">").append(format(k, v)).append("</td></tr>"));
        html.append("</table>");
    }

    /** Counts as whole numbers, other numbers to four significant digits. */
    private static String format(String key, Object v) {
        if (v instanceof Double d) {
            boolean count = key.endsWith("rows") || key.endsWith("epochs") || key.equals("best_epoch") || key.equals("epochs");
            return count && d == Math.rint(d) ? String.format("%,d", d.longValue()) : String.format("%.4g", d);
        }
        return esc(String.valueOf(v));
    }

    private static String td(double v) {
        return "<td>" + String.format("%.4f", v) + "</td>";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
