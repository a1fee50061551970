package dev.anomaly.trainer.cli;

import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.trainer.data.CsvData;
import dev.anomaly.trainer.data.Dataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code anomaly score}: batch scoring of a file with an exported model in ONNX Runtime. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Score a CSV, Avro file or topic range with an exported model; write a CSV of scores.",
        description = {"Score records with an exported model. Writes a CSV with a header and one row per input record,"
                + " in input order: score,is_anomaly,top_feature.",
                "With --skip-bad-rows (CSV input), rows that cannot be read are left out and written, with their line number"
                        + " and reason, to OUT.rejected.csv (like the detector's dead-letter topic); the output then starts with"
                        + " the input line number: line,score,is_anomaly,top_feature.",
                "A label column in the input is ignored. Exit codes: 0 ok, 2 bad options, 3 bad input data, 4 bad model."})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The ONNX model written by 'anomaly train'.")
    Path model;

    @Mixin
    DataOptions input;

    @Option(names = "--out", required = true, description = "Output CSV file ('-' for standard output).")
    String out;

    @Option(names = "--skip-bad-rows", description = "CSV input: leave out rows that cannot be read (counted, written to OUT.rejected.csv) instead of failing.")
    boolean skipBadRows;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (falls back to cpu with a warning; default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws IOException {
        if (skipBadRows && out.equals("-")) {
            throw new IllegalArgumentException("--skip-bad-rows needs --out FILE (the rejected rows go to FILE.rejected.csv)");
        }
        try (OnnxScoringModel scorer = OnnxScoringModel.load(model, new ScoringOptions(device, 1))) {
            ModelMetadata m = scorer.metadata();
            Dataset data;
            long[] lines = null;
            List<CsvData.Rejected> rejected = List.of();
            if (skipBadRows) {
                CsvData.Lenient read = input.readCsvSkippingBadRows(m.featureSpec());
                data = read.data();
                lines = read.lines();
                rejected = read.rejected();
            } else {
                data = input.read(m.featureSpec());
            }
            long alerts = write(scorer, data, lines);
            if (skipBadRows) {
                Path side = Path.of(out + ".rejected.csv");
                try (BufferedWriter w = Files.newBufferedWriter(side, StandardCharsets.UTF_8)) {
                    w.write("line,reason,row\n");
                    for (CsvData.Rejected r : rejected) {
                        w.write(r.line() + "," + csv(r.reason()) + "," + csv(r.text()) + "\n");
                    }
                }
                System.err.printf("Skipped %d unreadable row(s); they are listed with their reasons in %s%n", rejected.size(), side);
            }
            System.err.printf("Scored %d records with %s v%d: %d above threshold %.6g (%.2f %%)%n", data.rows(), m.modelId(),
                    m.version(), alerts, m.threshold(), 100.0 * alerts / data.rows());
        }
        return ExitCodes.OK;
    }

    /** Writes one row per scored record (prefixed by its input line when {@code lines} is given); returns the alerts. */
    private long write(OnnxScoringModel scorer, Dataset data, long[] lines) throws IOException {
        ModelMetadata m = scorer.metadata();
        List<String> columns = m.featureSpec().columnNames();
        int w = data.width();
        long alerts = 0;
        BufferedWriter writer = out.equals("-")
                ? new BufferedWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : Files.newBufferedWriter(Path.of(out), StandardCharsets.UTF_8);
        try {
            writer.write((lines != null ? "line," : "") + "score,is_anomaly,top_feature\n");
            int batch = 4096;
            float[] buffer = new float[batch * w];
            for (int from = 0; from < data.rows(); from += batch) {
                int n = Math.min(batch, data.rows() - from);
                System.arraycopy(data.values(), from * w, buffer, 0, n * w);
                ScoreBatch s = scorer.score(buffer, n);
                for (int i = 0; i < n; i++) {
                    int top = 0;
                    for (int j = 1; j < w; j++) {
                        if (s.contribution(i, j) > s.contribution(i, top)) {
                            top = j;
                        }
                    }
                    boolean anomaly = m.isAlert(s.score()[i]);
                    alerts += anomaly ? 1 : 0;
                    writer.write((lines != null ? lines[from + i] + "," : "") + s.score()[i] + "," + (anomaly ? 1 : 0) + ","
                            + csv(columns.get(top)) + "\n");
                }
            }
        } finally {
            if (out.equals("-")) {
                writer.flush();
            } else {
                writer.close();
            }
        }
        return alerts;
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
