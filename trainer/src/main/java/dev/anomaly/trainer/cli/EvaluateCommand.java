package dev.anomaly.trainer.cli;

import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.data.CsvData;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.EvaluationProtocol;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.nab.NabCorpus;
import dev.anomaly.trainer.nab.NabProfile;
import dev.anomaly.trainer.nab.NabScorer;
import dev.anomaly.trainer.nab.WindowedAutoencoder;
import dev.anomaly.trainer.nab.WindowedGaussian;
import dev.anomaly.trainer.reference.ReferenceDetector;
import dev.anomaly.trainer.reference.ReferenceDetectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code anomaly evaluate}: the ADBench unsupervised protocol on labelled CSV files, with default settings. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Evaluate the default models on labelled CSV data (ADBench protocol); print a Markdown table.",
        description = {"Evaluate default models on labelled CSV data with the ADBench unsupervised protocol:"
                + " per seed a stratified 70/30 split, fit on the 70 %% with anomalies left in and labels ignored,"
                + " AUROC and AUPRC on the 30 %%, averaged over seeds; IsolationForest, kNN and PCA on the same splits beside"
                + " them. Prints the per-dataset table (with each model's false-alarm rate on the normal test records against"
                + " its target), then per model the means over the datasets and the mean AUROC rank."})
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--data", split = ",", description = "Labelled CSV files, or folders of them (comma-separated or repeated).")
    List<Path> files;

    @Option(names = "--label-column", defaultValue = "label", description = "Label column (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--model", split = ",", defaultValue = "ae,vae", description = "Models to evaluate: ae, vae, cae, ae-tied, vqvae, cvae (with --condition) (default: ${DEFAULT-VALUE}; 'none': only the reference detectors).")
    List<String> models;

    @Option(names = "--condition", paramLabel = "FIELD[:BUCKETS]", description = "cvae: what it is conditioned on in every"
            + " dataset, e.g. f0:4 (the first column cut in 4 quantile buckets).")
    String condition;

    @Option(names = "--seeds", split = ",", defaultValue = "0,1,2", description = "Seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--reference", split = ",", defaultValue = "iforest,knn,pca",
            description = "Reference detectors run on the same splits (default: ${DEFAULT-VALUE}; 'none' for none).")
    List<String> references;

    @Option(names = "--nab", paramLabel = "DIR", description = "Instead of --data: a NAB corpus folder (data/, windows.json), scored"
            + " under NAB's rules with the streaming windowed-Gaussian baseline (each series streamed in order, rows before each"
            + " row only); prints the standard, reward-low-FP and reward-low-FN scores and the per-category table.")
    Path nab;

    @Option(names = "--results", paramLabel = "DIR", description = "With --nab: write per-series results in NAB's layout here.")
    Path results;

    @Option(names = "--nab-detector", defaultValue = "windowed-gaussian", description = "With --nab: windowed-ae (a dense autoencoder over"
            + " windows of 16 rows, trained on each series' probationary period) or windowed-gaussian (default: ${DEFAULT-VALUE}).")
    String nabDetector;

    @Override
    public Integer call() throws java.io.IOException {
        if ((files == null) == (nab == null)) {
            throw new IllegalArgumentException("Give exactly one of --data FILES|DIR or --nab DIR");
        }
        if (nab != null) {
            return nab();
        }
        Map<String, ModelFamily> families = new LinkedHashMap<>();
        for (String m : models) {
            if (!m.equalsIgnoreCase("none")) {
                boolean conditional = condition != null && m.trim().equalsIgnoreCase("cvae");
                families.put(m.trim().toLowerCase(java.util.Locale.ROOT), conditional
                        ? dev.anomaly.trainer.family.ModelFamilies.named(m, Map.of(dev.anomaly.trainer.family.ConditionalVae.CONDITION, condition))
                        : Options.family(m, "--model"));
            }
        }
        List<ReferenceDetector> detectors = references.size() == 1 && references.get(0).equalsIgnoreCase("none") ? List.of()
                : references.stream().map(ReferenceDetectors::named).toList();
        List<Path> csvs = csvFiles();
        List<String> rows = new ArrayList<>();
        // Per dataset, per model: mean AUROC and AUPRC, for the means and ranks below.
        Map<String, Map<String, double[]>> byDataset = new LinkedHashMap<>();
        int done = 0;
        for (Path file : csvs) {
            Dataset d = CsvData.read(file, Optional.of(label));
            String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
            List<EvaluationProtocol.Result> results = new ArrayList<>();
            for (Map.Entry<String, ModelFamily> family : families.entrySet()) {
                try {
                    EvaluationProtocol.Result r = EvaluationProtocol.run(d, name, seeds,
                            fit -> TrainingConfig.defaults(family.getValue(), fit.width(), (int) (fit.rows() * 0.8)), ProgressListener.NONE);
                    results.add(new EvaluationProtocol.Result(name, family.getKey(), r.seeds()));
                } catch (RuntimeException e) {
                    // One model failing on one dataset (it diverged, the data cannot serve it) costs that cell, not the run.
                    String row = String.format("| %s | %s | failed: %s |  |  |  |  |", name, family.getKey(),
                            String.valueOf(e.getMessage()).replace('|', '/'));
                    System.err.println(row);
                    rows.add(row);
                }
            }
            for (ReferenceDetector detector : detectors) {
                results.add(EvaluationProtocol.runReference(d, name, seeds, detector));
            }
            for (EvaluationProtocol.Result r : results) {
                String far = Double.isNaN(r.meanFalseAlarmRate()) ? "" : String.format("%.2f / %.2f", 100 * r.seeds().get(0).targetRate(),
                        100 * r.meanFalseAlarmRate());
                String row = String.format("| %s | %s | %.2f | %.2f | %s | %s | %.0f |", name, r.model(), 100 * r.meanAuroc(), 100 * r.meanAuprc(),
                        r.seeds().stream().map(x -> String.format("%.2f/%.2f", 100 * x.auroc(), 100 * x.auprc())).toList(), far, r.seconds());
                System.err.println(row);
                rows.add(row);
                byDataset.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(r.model(), new double[]{r.meanAuroc(), r.meanAuprc()});
            }
            System.err.printf("[%d/%d datasets]%n", ++done, csvs.size());
        }
        System.out.println("| dataset | model | AUROC % | AUPRC % | per seed (AUROC/AUPRC) | false alarms on normal test records, target / measured % | seconds |");
        System.out.println("|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println(means(byDataset));
        return ExitCodes.OK;
    }

    /** NAB: the corpus scored by the windowed-Gaussian baseline, one threshold per profile for the whole corpus. */
    private Integer nab() throws java.io.IOException {
        List<NabCorpus.Series> corpus = NabCorpus.read(nab);
        String detector = switch (nabDetector) {
            case "windowed-ae" -> "windowedAutoencoder";
            case "windowed-gaussian" -> "windowedGaussian";
            default -> throw new IllegalArgumentException("--nab-detector must be windowed-ae or windowed-gaussian, got '" + nabDetector + "'");
        };
        List<double[]> scores = new ArrayList<>();
        int done = 0;
        for (NabCorpus.Series s : corpus) {
            double[] sc = detector.equals("windowedGaussian") ? new WindowedGaussian().score(s.values())
                    : new WindowedAutoencoder().score(s.values(), s.probation(), 42);
            scores.add(sc);
            if (results != null) {
                NabCorpus.writeResults(results, detector, s, sc);
            }
            System.err.printf("[%d/%d] %s%n", ++done, corpus.size(), s.key());
        }
        List<List<int[]>> windows = corpus.stream().map(NabCorpus.Series::windows).toList();
        List<Integer> probations = corpus.stream().map(NabCorpus.Series::probation).toList();
        System.out.printf("NAB: %d series, %d windows, detector %s%n%n", corpus.size(),
                windows.stream().mapToInt(List::size).sum(), detector);
        System.out.println("| profile | score | threshold |");
        System.out.println("|---|---|---|");
        Map<String, Double> thresholds = new LinkedHashMap<>();
        for (NabProfile p : NabProfile.all()) {
            NabScorer.Best best = NabScorer.bestThreshold(scores, windows, probations, p, 2000);
            thresholds.put(p.name(), best.threshold());
            System.out.printf("| %s | %.1f | %.6f |%n", p.name(), best.score(), best.threshold());
        }
        System.out.println();
        System.out.println("| category | series | windows | standard score (at the corpus threshold) |");
        System.out.println("|---|---|---|---|");
        Map<String, List<Integer>> byCategory = new LinkedHashMap<>();
        for (int k = 0; k < corpus.size(); k++) {
            byCategory.computeIfAbsent(corpus.get(k).category(), c -> new ArrayList<>()).add(k);
        }
        double t = thresholds.get(NabProfile.STANDARD.name());
        byCategory.forEach((category, members) -> {
            List<NabScorer.Series> series = NabScorer.detections(members.stream().map(scores::get).toList(),
                    members.stream().map(windows::get).toList(), members.stream().map(probations::get).toList(), t);
            int ws = members.stream().mapToInt(k -> windows.get(k).size()).sum();
            double score = NabScorer.normalised(series, NabProfile.STANDARD);
            System.out.printf("| %s | %d | %d | %s |%n", category, members.size(), ws, Double.isNaN(score) ? "(no windows)" : String.format("%.1f", score));
        });
        if (results != null) {
            System.err.println("Results in NAB's layout under " + results.resolve(detector));
        }
        return ExitCodes.OK;
    }

    /** Every CSV named, and every *.csv in each folder named, in name order. */
    private List<Path> csvFiles() throws java.io.IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : files) {
            if (java.nio.file.Files.isDirectory(p)) {
                try (var s = java.nio.file.Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".csv")).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--data names no CSV file");
        }
        return out;
    }

    /** Per model: mean AUROC and AUPRC over the datasets, and its mean AUROC rank among all models (1 = best). */
    static String means(Map<String, Map<String, double[]>> byDataset) {
        Map<String, double[]> sums = new LinkedHashMap<>(); // auroc, auprc, rank
        for (Map<String, double[]> models : byDataset.values()) {
            List<String> order = new ArrayList<>(models.keySet());
            order.sort((x, y) -> Double.compare(models.get(y)[0], models.get(x)[0]));
            for (String m : models.keySet()) {
                double[] s = sums.computeIfAbsent(m, k -> new double[3]);
                s[0] += models.get(m)[0];
                s[1] += models.get(m)[1];
                s[2] += order.indexOf(m) + 1;
            }
        }
        int n = byDataset.size();
        StringBuilder b = new StringBuilder("| model | mean AUROC % | mean AUPRC % | mean AUROC rank | datasets |\n|---|---|---|---|---|\n");
        sums.forEach((m, s) -> b.append(String.format("| %s | %.2f | %.2f | %.2f | %d |%n", m, 100 * s[0] / n, 100 * s[1] / n, s[2] / n, n)));
        return b.toString();
    }
}
