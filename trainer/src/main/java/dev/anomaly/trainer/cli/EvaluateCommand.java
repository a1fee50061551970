package dev.anomaly.trainer.cli;

import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.data.CsvData;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.EvaluationProtocol;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
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
        description = {"Evaluate default AE / VAE models on labelled CSV data with the ADBench unsupervised protocol:"
                + " per seed a stratified 70/30 split, fit on the 70 %% with anomalies left in and labels ignored,"
                + " AUROC and AUPRC on the 30 %%, averaged over seeds. Prints a Markdown table."})
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, split = ",", description = "Labelled CSV files (comma-separated or repeated).")
    List<Path> files;

    @Option(names = "--label-column", defaultValue = "label", description = "Label column (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--model", split = ",", defaultValue = "ae,vae", description = "Models to evaluate (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--seeds", split = ",", defaultValue = "0,1,2", description = "Seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Override
    public Integer call() {
        Map<String, ModelFamily> families = new LinkedHashMap<>();
        for (String m : models) {
            families.put(m.trim().toLowerCase(java.util.Locale.ROOT), Options.family(m, "--model"));
        }
        List<String> rows = new ArrayList<>();
        for (Path file : files) {
            Dataset d = CsvData.read(file, Optional.of(label));
            String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
            for (Map.Entry<String, ModelFamily> family : families.entrySet()) {
                long t0 = System.nanoTime();
                EvaluationProtocol.Result r = EvaluationProtocol.run(d, name, seeds,
                        fit -> TrainingConfig.defaults(family.getValue(), fit.width(), (int) (fit.rows() * 0.8)), ProgressListener.NONE);
                String row = String.format("| %s | %s | %.2f | %.2f | %s | %.0f |", name, family.getKey(), 100 * r.meanAuroc(), 100 * r.meanAuprc(),
                        r.seeds().stream().map(s -> String.format("%.2f/%.2f", 100 * s.auroc(), 100 * s.auprc())).toList(),
                        (System.nanoTime() - t0) / 1e9);
                System.err.println(row);
                rows.add(row);
            }
        }
        System.out.println("| dataset | model | AUROC % | AUPRC % | per seed (AUROC/AUPRC) | seconds |");
        System.out.println("|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        return ExitCodes.OK;
    }
}
