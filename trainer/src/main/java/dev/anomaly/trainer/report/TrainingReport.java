package dev.anomaly.trainer.report;

import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.eval.Metrics;
import dev.anomaly.trainer.model.TrainingHistory;

import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * An HTML page with PNG plots about one training run: loss curves, the held-out score histogram with the threshold,
 * a 2-D view of the latent space, ROC and precision-recall curves when labels exist, and the model's metadata.
 */
public final class TrainingReport {
    private TrainingReport() {
    }

    /** Writes {@code index.html} and its images into {@code dir}; returns the page. */
    public static Path write(Path dir, TrainingJob.Outcome outcome) throws IOException {
        Files.createDirectories(dir);
        ModelMetadata m = outcome.metadata();
        TrainingHistory h = outcome.network().history();
        double[] epochs = new double[h.epochs()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        new Chart("Loss per epoch (best epoch " + h.bestEpoch() + ")", "epoch", "loss")
                .line("training", epochs, h.trainLoss().stream().mapToDouble(Double::doubleValue).toArray(), Chart.PALETTE[0])
                .line("held-out", epochs, h.validationLoss().stream().mapToDouble(Double::doubleValue).toArray(), Chart.PALETTE[1])
                .save(dir.resolve("loss.png"));

        double[] scores = outcome.validationScores();
        histogram(scores, m.threshold()).save(dir.resolve("scores.png"));
        latentChart(outcome).save(dir.resolve("latent.png"));

        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Training report: ")
                .append(esc(m.modelId())).append(" v").append(m.version()).append("</title><style>")
                .append("body{font-family:sans-serif;max-width:1340px;margin:20px auto;color:#222}")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}")
                .append("img{border:1px solid #ddd;margin:4px}</style></head><body>");
        html.append("<h1>").append(esc(m.modelId())).append(" v").append(m.version()).append(" — ").append(m.kind()).append("</h1>");
        html.append("<p>Trained ").append(m.createdAt()).append(" on ").append(outcome.train().rows()).append(" rows; ")
                .append(outcome.validation().rows()).append(" held out. ").append(esc(outcome.parity().toString())).append("</p>");
        html.append("<p>Threshold <b>").append(String.format("%.6g", m.threshold())).append("</b>: the ")
                .append(String.format("%.2f", 100 * (1 - m.falseAlarmRate()))).append(" % quantile of held-out scores (target alert rate ")
                .append(String.format("%.2f %%", 100 * m.falseAlarmRate())).append(").</p>");
        outcome.evaluation().ifPresent(e -> {
            html.append("<h2>Evaluation on the held-out rows (").append(e.rows()).append(" rows, ").append(e.anomalies()).append(" anomalies)</h2>");
            html.append("<table><tr><th>AUROC</th><th>AUPRC</th><th>precision</th><th>recall</th><th>F1</th><th>false-alarm rate</th></tr><tr>")
                    .append(td(e.auroc())).append(td(e.auprc())).append(td(e.atThreshold().precision()))
                    .append(td(e.atThreshold().recall())).append(td(e.atThreshold().f1())).append(td(e.atThreshold().falseAlarmRate()))
                    .append("</tr></table>");
        });
        html.append("<h2>Plots</h2><img src=\"loss.png\"><img src=\"scores.png\"><img src=\"latent.png\">");
        if (outcome.evaluation().isPresent()) {
            int[] labels = outcome.validation().labels().orElseThrow();
            double[][] roc = Metrics.rocCurve(scores, labels);
            double[][] pr = Metrics.prCurve(scores, labels);
            new Chart(String.format("ROC (AUROC %.3f)", outcome.evaluation().get().auroc()), "false-positive rate", "true-positive rate")
                    .line(null, new double[]{0, 1}, new double[]{0, 1}, Color.LIGHT_GRAY)
                    .line(null, roc[0], roc[1], Chart.PALETTE[0]).range(0, 1, 0, 1).save(dir.resolve("roc.png"));
            new Chart(String.format("Precision-recall (AUPRC %.3f)", outcome.evaluation().get().auprc()), "recall", "precision")
                    .line(null, pr[0], pr[1], Chart.PALETTE[0]).range(0, 1, 0, 1.02).save(dir.resolve("pr.png"));
            html.append("<img src=\"roc.png\"><img src=\"pr.png\">");
        }
        html.append("<h2>Features</h2><table><tr><th>#</th><th>name</th><th>path</th><th>type</th></tr>");
        for (int i = 0; i < m.featureSpec().features().size(); i++) {
            var f = m.featureSpec().features().get(i);
            html.append("<tr><td>").append(i).append("</td><td>").append(esc(f.name())).append("</td><td>").append(esc(f.path()))
                    .append("</td><td>").append(f.type()).append(f.categories().isEmpty() ? "" : " " + esc(f.categories().toString()))
                    .append("</td></tr>");
        }
        html.append("</table>");
        table(html, "Hyper-parameters", m.hyperParameters());
        table(html, "Metrics", m.metrics());
        html.append("<p>Training data fingerprint: <code>").append(esc(m.trainingFingerprint())).append("</code></p></body></html>");
        Path page = dir.resolve("index.html");
        Files.writeString(page, html, StandardCharsets.UTF_8);
        return page;
    }

    private static Chart histogram(double[] scores, double threshold) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        // Clip the long tail at the 99.5th percentile (or just past the threshold) so the bulk stays readable.
        double hi = Math.max(sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.995))], threshold * 1.1);
        double lo = sorted[0];
        int bins = 50;
        double width = (hi - lo) / bins;
        int[] counts = new int[bins];
        int beyond = 0;
        for (double s : scores) {
            if (s > hi) {
                beyond++;
                continue;
            }
            counts[Math.min(bins - 1, (int) ((s - lo) / width))]++;
        }
        Chart c = new Chart("Held-out scores (" + beyond + " beyond the right edge)", "score", "rows");
        for (int i = 0; i < bins; i++) {
            c.bar(lo + i * width, lo + (i + 1) * width, counts[i]);
        }
        return c.verticalLine(threshold, String.format("threshold %.4g", threshold));
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
                alerts[i] = outcome.validationScores()[i] > outcome.metadata().threshold() ? 1 : 0;
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
        String title = kind + " latent space" + (k > 2 ? " (first two principal axes of " + k + " dims)" : "");
        return new Chart(title, "latent axis 1", "latent axis 2")
                .scatter("normal", normal[0], normal[1], new Color(0x1f77b4))
                .scatter(flagged, odd[0], odd[1], new Color(0xd62728));
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
        values.forEach((k, v) -> html.append("<tr><th>").append(esc(k)).append("</th><td>")
                .append(v instanceof Double d ? String.format("%.6g", d) : esc(String.valueOf(v))).append("</td></tr>"));
        html.append("</table>");
    }

    private static String td(double v) {
        return "<td>" + String.format("%.4f", v) + "</td>";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
