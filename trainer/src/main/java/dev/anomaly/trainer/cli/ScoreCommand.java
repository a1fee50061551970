package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.schemas.model.OnnxScoringModel;
import dev.anomaly.schemas.model.ScoreBatch;
import dev.anomaly.schemas.model.ScoringOptions;
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
        description = {"Score records with an exported model. Writes a CSV with a header and one row per input record,"
                + " in input order: score,is_anomaly,top_feature.",
                "A label column in the input is ignored. Exit codes: 0 ok, 2 bad options, 3 bad input data, 4 bad model."})
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The ONNX model written by 'anomaly train'.")
    Path model;

    @Mixin
    DataOptions input;

    @Option(names = "--out", required = true, description = "Output CSV file ('-' for standard output).")
    String out;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N (falls back to cpu with a warning; default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws IOException {
        try (OnnxScoringModel scorer = OnnxScoringModel.load(model, new ScoringOptions(device, 1))) {
            ModelMetadata m = scorer.metadata();
            Dataset data = input.read(m.featureSpec());
            List<String> columns = m.featureSpec().columnNames();
            int w = data.width();
            long alerts = 0;
            BufferedWriter writer = out.equals("-")
                    ? new BufferedWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                    : Files.newBufferedWriter(Path.of(out), StandardCharsets.UTF_8);
            try {
                writer.write("score,is_anomaly,top_feature\n");
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
                        boolean anomaly = s.score()[i] > m.threshold();
                        alerts += anomaly ? 1 : 0;
                        writer.write(s.score()[i] + "," + (anomaly ? 1 : 0) + "," + csv(columns.get(top)) + "\n");
                    }
                }
            } finally {
                if (out.equals("-")) {
                    writer.flush();
                } else {
                    writer.close();
                }
            }
            System.err.printf("Scored %d records with %s v%d: %d above threshold %.6g (%.2f %%)%n", data.rows(), m.modelId(),
                    m.version(), alerts, m.threshold(), 100.0 * alerts / data.rows());
        }
        return ExitCodes.OK;
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
