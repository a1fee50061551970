package dev.anomaly.deploy.cli;

import dev.anomaly.deploy.demo.LabelledReading;
import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code anomaly train} and {@code anomaly score} as a user runs them: files in, files out, exit codes. */
class TrainAndScoreCliTest {
    @TempDir
    static Path dir;
    static Path trainCsv;
    static Path model;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = AnomalyCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path telemetryCsv(String name, long seed, int rows) throws IOException {
        StringBuilder sb = new StringBuilder("rpm,powerKw,temperatureC,label,vibrationMm,pressureBar,flowM3h\n");
        for (LabelledReading r : TelemetrySimulator.withDefaults(seed).next(rows)) {
            var t = r.reading();
            sb.append(t.getRpm()).append(',').append(t.getPowerKw()).append(',').append(t.getTemperatureC()).append(',')
                    .append(r.isAnomaly() ? 1 : 0).append(',').append(t.getVibrationMm()).append(',').append(t.getPressureBar())
                    .append(',').append(t.getFlowM3h()).append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb);
        return p;
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        trainCsv = telemetryCsv("train.csv", 1, 3000);
        model = dir.resolve("pumps.onnx");
        Run r = run("train", "--data", trainCsv.toString(), "--label-column", "label", "--model", "ae",
                "--out", model.toString(), "--epochs", "15", "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void shouldScoreANabCorpusUnderItsRulesAndWriteResultsInItsLayout() throws IOException {
        Path corpus = dir.resolve("nab");
        Path series = Files.createDirectories(corpus.resolve("data/artificialWithAnomaly")).resolve("spike.csv");
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            double v = (i >= 300 && i < 310 ? 50 : 10) + r.nextGaussian(); // a level shift inside the window
            csv.append(String.format("2014-04-01 %02d:%02d:00,%.4f%n", i / 60, i % 60, v));
        }
        Files.writeString(series, csv);
        Files.writeString(corpus.resolve("windows.json"),
                "{\"artificialWithAnomaly/spike.csv\": [[\"2014-04-01 04:55:00.000000\", \"2014-04-01 05:14:00.000000\"]]}");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        Run r1;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            r1 = run("evaluate", "--nab", corpus.toString(), "--results", dir.resolve("nab-results").toString());
        } finally {
            System.setOut(old);
        }
        String report = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        System.out.print(report);

        assertThat(r1.code()).as(r1.err()).isZero();
        assertThat(report).contains("NAB: 1 series, 1 windows").containsPattern("\\| standard \\| (9\\d|100)\\.\\d \\|");
        List<String> rows = Files.readAllLines(dir.resolve("nab-results/windowedGaussian/artificialWithAnomaly/windowedGaussian_spike.csv"));
        assertThat(rows.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
        assertThat(rows).hasSize(401);
        assertThat(rows.get(300)).endsWith(",1"); // row 299 (04:59) is inside the window
        assertThat(rows.get(1)).endsWith(",0");
    }

    @Test
    void shouldEvaluateEveryCsvOfAFolderWithTheReferenceDetectorsBesideOurModel() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("sets"));
        Files.copy(telemetryCsv("one.csv", 11, 1500), folder.resolve("one.csv"));
        Files.copy(telemetryCsv("two.csv", 12, 1500), folder.resolve("two.csv"));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        Run r;
        try {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            r = run("evaluate", "--data", folder.toString(), "--model", "ae", "--seeds", "0", "--reference", "iforest,knn,pca");
        } finally {
            System.setOut(old);
        }
        String table = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        System.out.print(table);

        assertThat(r.code()).as(r.err()).isZero();
        for (String set : new String[]{"one", "two"}) {
            assertThat(table).contains("| " + set + " | ae | ", "| " + set + " | IsolationForest | ", "| " + set + " | kNN (k=5) | ",
                    "| " + set + " | PCA | ");
        }
        assertThat(table).containsPattern("\\| one \\| ae \\| [\\d.]+ \\| [\\d.]+ \\| \\[[^]]+] \\| 1\\.00 / [\\d.]+ \\|"); // target / measured
        assertThat(table).contains("| model | mean AUROC % | mean AUPRC % | mean AUROC rank | datasets |").containsPattern("\\| ae \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| 2 \\|");
    }

    @Test
    void shouldWriteModelWithMetadataAndReportAndNeverUseTheLabelAsFeature() {
        assertThat(model).exists();
        assertThat(dir.resolve("pumps.report/index.html")).exists();
        assertThat(dir.resolve("pumps.report/latent.png")).exists();
        assertThat(dir.resolve("pumps.report/roc.png")).exists();
        for (String png : List.of("loss.png", "scores.png", "latent.png", "roc.png", "pr.png")) {
            try {
                var image = javax.imageio.ImageIO.read(dir.resolve("pumps.report").resolve(png).toFile());
                assertThat(image).as(png).isNotNull();
                assertThat(image.getWidth()).as(png).isEqualTo(640);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        String page;
        try {
            page = Files.readString(dir.resolve("pumps.report/index.html"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // Every picture says what it shows and how to read it; counts are whole numbers.
        assertThat(page).contains("<figcaption>How the held-out rows score, normal rows and labelled anomalies")
                .contains("The diamond is this model's threshold").contains("the precision of alerting at random")
                .containsPattern("<th>train_rows</th><td class=\"n\">[0-9,]+</td>");
        try (OnnxScoringModel m = OnnxScoringModel.load(model, ScoringOptions.cpu())) {
            ModelMetadata meta = m.metadata();
            assertThat(meta.modelId()).isEqualTo("pumps");
            assertThat(meta.featureSpec().columnNames())
                    .containsExactly("rpm", "powerKw", "temperatureC", "vibrationMm", "pressureBar", "flowM3h");
            assertThat(meta.metrics()).containsKeys("auroc", "auprc", "f1", "validation_loss");
            assertThat(meta.baseline().featureQuantiles()).containsKeys("rpm", "flowM3h");
        }
    }

    @Test
    void shouldScoreEveryRowInOrder() throws IOException {
        Path test = telemetryCsv("test.csv", 2, 500);
        Path scores = dir.resolve("scores.csv");

        Run r = run("score", "--model", model.toString(), "--data", test.toString(), "--out", scores.toString());

        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(scores);
        assertThat(lines).hasSize(501);
        assertThat(lines.get(0)).isEqualTo("score,is_anomaly,top_feature");
        assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l).matches("[0-9.E-]+,[01],(rpm|powerKw|temperatureC|vibrationMm|pressureBar|flowM3h)"));
        long flagged = lines.stream().skip(1).filter(l -> l.split(",")[1].equals("1")).count();
        assertThat(flagged).isBetween(1L, 50L);
    }

    @Test
    void shouldExitWithDocumentedCodesOnBadInput() throws IOException {
        Path scores = dir.resolve("never.csv");
        assertThat(run("train", "--data", dir.resolve("missing.csv").toString(), "--out", dir.resolve("x.onnx").toString()).code()).isEqualTo(3);
        Path words = dir.resolve("words.csv");
        Files.writeString(words, "a,b\n1,2\n3,three\n");
        Run bad = run("train", "--data", words.toString(), "--out", dir.resolve("x.onnx").toString());
        assertThat(bad.code()).isEqualTo(3);
        assertThat(bad.err()).contains("line 3").contains("'three'");
        assertThat(run("train", "--data", trainCsv.toString(), "--model", "gan", "--out", dir.resolve("x.onnx").toString()).code()).isEqualTo(2);
        assertThat(run("train", "--data", trainCsv.toString()).code()).isEqualTo(2);
        Path lacking = dir.resolve("lacking.csv");
        Files.writeString(lacking, "rpm,powerKw\n1,2\n");
        Run missing = run("score", "--model", model.toString(), "--data", lacking.toString(), "--out", scores.toString());
        assertThat(missing.code()).isEqualTo(3);
        assertThat(missing.err()).contains("missing column(s)").contains("temperatureC");
        Run notModel = run("score", "--model", trainCsv.toString(), "--data", trainCsv.toString(), "--out", scores.toString());
        assertThat(notModel.code()).isEqualTo(4);
        assertThat(scores).doesNotExist();
    }

    @Test
    void shouldWriteAModelOthersCanRead() throws IOException {
        if (model.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(model))).isEqualTo("rw-r--r--");
        }
    }

    @Test
    void shouldSkipBadRowsIntoASideFileWhenAsked() throws IOException {
        Path test = telemetryCsv("partly-bad.csv", 3, 100);
        List<String> rows = new java.util.ArrayList<>(Files.readAllLines(test));
        rows.set(10, rows.get(10).replaceFirst("^[^,]+", "n/a")); // line 11
        rows.set(50, "1,2,3"); // line 51
        Files.write(test, rows);
        Path scores = dir.resolve("partly-bad.scores.csv");

        assertThat(run("score", "--model", model.toString(), "--data", test.toString(), "--out", scores.toString()).code()).isEqualTo(3);
        Run r = run("score", "--model", model.toString(), "--data", test.toString(), "--out", scores.toString(), "--skip-bad-rows");

        assertThat(r.code()).as(r.err()).isZero();
        List<String> out = Files.readAllLines(scores);
        assertThat(out.get(0)).isEqualTo("line,score,is_anomaly,top_feature");
        assertThat(out).hasSize(1 + 98);
        assertThat(out.get(1)).startsWith("2,");
        assertThat(out).noneMatch(l -> l.startsWith("11,") || l.startsWith("51,"));
        List<String> rejected = Files.readAllLines(Path.of(scores + ".rejected.csv"));
        assertThat(rejected).hasSize(3);
        assertThat(rejected.get(1)).startsWith("11,").contains("column 'rpm' is not a number");
        assertThat(rejected.get(2)).startsWith("51,").contains("3 fields");
    }

    @Test
    void shouldWarnWhenTheLabelIsTrainedOnAsAFeature() {
        Run r = run("train", "--data", trainCsv.toString(), "--out", dir.resolve("with-label.onnx").toString(), "--epochs", "1",
                "--quiet", "--no-report");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("warning: column 'label' is named like a label").contains("--label-column label");
    }
}
