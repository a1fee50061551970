package dev.anomaly.deploy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of mistake a user makes on the command line gets one clear line and its documented exit code: no stack
 * traces, no pages of usage, no silent success.
 */
class CliMannersTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path csv;

    @org.junit.jupiter.api.BeforeAll
    static void trainOnce() throws Exception {
        StringBuilder sb = new StringBuilder("rpm,powerKw,temperatureC\n");
        for (var r : dev.anomaly.deploy.demo.TelemetrySimulator.withDefaults(4).next(600)) {
            sb.append(r.reading().getRpm()).append(',').append(r.reading().getPowerKw()).append(',').append(r.reading().getTemperatureC()).append('\n');
        }
        csv = dir.resolve("manners.csv");
        Files.writeString(csv, sb);
        model = dir.resolve("manners.onnx");
        var r = run("train", "--data", csv.toString(), "--out", model.toString(), "--epochs", "2", "--quiet", "--no-report");
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static TrainAndScoreCliTest.Run run(String... args) {
        return TrainAndScoreCliTest.run(args);
    }

    /** At most {@code lines} non-empty lines on stderr, none of them a stack frame. */
    private static void brief(TrainAndScoreCliTest.Run r, int lines) {
        assertThat(r.err().lines().filter(l -> !l.isBlank()).count()).as(r.err()).isLessThanOrEqualTo(lines);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    @Test
    void shouldFailWithoutACommand() {
        var r = run();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("a command is required").contains("Commands:");
    }

    @Test
    void shouldListEveryCommandWithAWholeSentence() {
        var r = run("--help");
        assertThat(r.code()).isZero();
        String commands = r.out().substring(r.out().indexOf("Commands:"));
        for (String name : new String[]{"train", "score", "evaluate", "publish", "detect", "retrain", "demo", "bench"}) {
            assertThat(commands).contains("  " + name + " ");
        }
        // Each summary ends its sentence (the old listing cut descriptions mid-sentence).
        assertThat(commands.replaceAll("\\s+", " ")).contains("train, detect, alert, summarise.").contains("validated new model versions out.");
    }

    @Test
    void shouldSayWhereTheBenchmarksAreWhenTheyAreNotInTheDistribution() {
        var r = run("bench", "kernel");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not in this distribution").contains("bench/target/anomaly-bench/bin/anomaly");
    }

    @Test
    void shouldUseTheSameExitCodesAsTheDetectorsOwnCommandLine() {
        assertThat(dev.anomaly.detector.app.DetectorCli.USAGE).isEqualTo(dev.anomaly.trainer.cli.ExitCodes.USAGE);
        assertThat(dev.anomaly.detector.app.DetectorCli.BAD_MODEL).isEqualTo(dev.anomaly.trainer.cli.ExitCodes.BAD_MODEL);
        assertThat(dev.anomaly.detector.app.DetectorCli.FAILURE).isEqualTo(dev.anomaly.trainer.cli.ExitCodes.FAILURE);
        assertThat(dev.anomaly.detector.app.DetectorCli.OK).isEqualTo(dev.anomaly.trainer.cli.ExitCodes.OK);
    }

    @Test
    void shouldPrintTheVersionAndCommit() {
        var r = run("--version");
        assertThat(r.code()).isZero();
        // A build from a source copy without .git has no commit to name: the version alone is then right.
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("..", ".git")),
                "built outside a git checkout");
        assertThat(r.out()).matches("(?s)anomaly \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit [0-9a-f]{7,}.*\\).*");
    }

    @Test
    void shouldNameABadModelFamilyInOneLine() {
        var train = run("train", "--data", "x.csv", "--model", "pca", "--out", "x.onnx");
        assertThat(train.code()).isEqualTo(2);
        assertThat(train.err()).contains("'--model'").contains("pca").contains("anomaly train --help");
        brief(train, 2);
        var evaluate = run("evaluate", "--data", "x.csv", "--model", "ae,pca");
        assertThat(evaluate.code()).isEqualTo(2);
        assertThat(evaluate.err()).contains("'pca' (choose from ae, vae, ae-tied, cae, cvae, vqvae)");
        brief(evaluate, 2);
    }

    @Test
    void shouldGenerateAKeyPairOnceAndNeverOverwriteIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        var r = run("keys", "generate", "--out", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(dir.resolve("publisher.key")).exists();
        assertThat(dir.resolve("publisher.pub")).exists();
        var again = run("keys", "generate", "--out", dir.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("exists; not overwriting a key");
        brief(again, 2);
        var bare = run("keys");
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err()).contains("a subcommand is required: generate");
    }

    @Test
    void shouldRefuseToPublishUnsignedUnlessToldAndNameAMissingKey() {
        var r = run("publish", "--model", model.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--signing-key FILE is required").contains("anomaly keys generate");
        brief(r, 2);
        var missing = run("publish", "--model", model.toString(), "--signing-key", "/nonexistent/publisher.key", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read key file /nonexistent/publisher.key");
        brief(missing, 2);
    }

    @Test
    void shouldPrintRetrainKeysWithoutAConfigFile() {
        var r = run("retrain", "--print-config");
        assertThat(r.code()).isZero();
        var missing = run("retrain", "--config", dir.resolve("empty.properties").toString());
        assertThat(missing.code()).isEqualTo(2);
        brief(missing, 2);
    }

    @Test
    void shouldReportMissingConfigurationFilesInOneLine() {
        var detect = run("detect", "--config", dir.resolve("nope.properties").toString());
        assertThat(detect.code()).isEqualTo(2);
        assertThat(detect.err()).contains("nope.properties does not exist");
        brief(detect, 2);
        var retrain = run("retrain", "--config", dir.resolve("nope.properties").toString());
        assertThat(retrain.code()).isEqualTo(2);
        brief(retrain, 2);
    }

    @Test
    void shouldReportAnUnwritableOutputInOneLine() throws Exception {
        Path noDir = dir.resolve("no-such-dir").resolve("scores.csv");
        var r = run("score", "--model", model.toString(), "--data", csv.toString(), "--out", noDir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(noDir.toString()).contains("no such file or directory");
        brief(r, 1);
        Path readOnly = Files.createDirectories(dir.resolve("read-only"));
        if (readOnly.toFile().setWritable(false) && !Files.isWritable(readOnly)) { // root may write anyway
            var denied = run("score", "--model", model.toString(), "--data", csv.toString(), "--out", readOnly.resolve("s.csv").toString());
            assertThat(denied.code()).isEqualTo(2);
            assertThat(denied.err()).contains("permission denied");
        }
    }

    @Test
    void shouldSayKafkaIsUnreachableRatherThanTheModelIsBad() {
        var r = run("publish", "--model", model.toString(), "--unsigned", "--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url",
                "http://127.0.0.1:1", "--kafka-property", "max.block.ms=1500");
        assertThat(r.code()).as(r.err()).isEqualTo(5);
        assertThat(r.err()).contains("unavailable").contains("Cannot reach Kafka at 127.0.0.1:1");
        brief(r, 1);
    }
}
