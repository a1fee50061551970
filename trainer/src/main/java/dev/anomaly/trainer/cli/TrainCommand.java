package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.family.Autoencoder;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.family.VariationalAutoencoder;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.Scaling;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.report.TrainingReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;

/** {@code anomaly train}: fit an AE or VAE and export one ONNX scoring model with a report beside it. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Train a model on historical records and export one ONNX file (with an HTML report).",
        description = {"Train an autoencoder (ae) or variational autoencoder (vae) on historical records and export a"
                + " self-contained ONNX scoring model, with an HTML report next to it.",
                "Exit codes: 0 ok, 2 bad options, 3 bad input data, 4 model failed its parity check."})
public final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    DataOptions input;

    @Option(names = "--model", defaultValue = "ae", description = "ae, vae, cae (the AE with a contractive penalty) or cvae (the VAE conditioned on --condition fields); default: ${DEFAULT-VALUE}.")
    String model;

    @Option(names = "--out", required = true, description = "Where to write the ONNX model (e.g. model.onnx).")
    Path out;

    @Option(names = "--model-id", description = "Model identifier (default: the output file name without extension).")
    String modelId;

    @Option(names = "--model-version", defaultValue = "1", description = "Model version (default: ${DEFAULT-VALUE}).")
    int version;

    @Option(names = "--hidden", split = ",", description = "Encoder hidden sizes, e.g. 64,32; the decoder mirrors them (default: clamp(2F, 16, 64)).")
    List<Integer> hidden;

    @Option(names = "--latent", description = "Latent / code size (default: clamp(ceil(F/4), 2, 16)).")
    Integer latent;

    @Option(names = "--activation", description = "relu, leakyrelu, elu, tanh, sigmoid or identity (default: elu).")
    Activation activation;

    @Option(names = "--epochs", description = "Maximum epochs (default: 100; early stopping usually ends sooner).")
    Integer epochs;

    @Option(names = "--batch-size", description = "Minibatch size (default: clamp(rows/40, 32, 256)).")
    Integer batchSize;

    @Option(names = "--learning-rate", description = "Adam learning rate (default: 0.001).")
    Double learningRate;

    @Option(names = "--weight-decay", description = "L2 weight decay (default: 1e-5).")
    Double weightDecay;

    @Option(names = "--patience", description = "Epochs without held-out improvement before stopping (default: 10).")
    Integer patience;

    @Option(names = "--validation-fraction", description = "Share of rows held out for early stopping and threshold calibration (default: 0.2).")
    Double validationFraction;

    @Option(names = "--seed", description = "Random seed: the same data, options and seed give the same model (default: 42).")
    Long seed;

    @Option(names = "--denoise", description = "Std-dev of Gaussian input noise during training, in normalised units (default: 0 for ae, 0.05 for vae).")
    Double denoise;

    @Option(names = "--sparsity", description = "AE: weight of the L1 activity penalty on the code (default: 0, off).")
    Double sparsity;

    @Option(names = "--contraction", description = "AE: weight of the contractive penalty on the encoder's Jacobian (default: 0, off; cae: 0.1).")
    Double contraction;

    @Option(names = "--sparsity-target", description = "AE: target mean activation rho of the KL-sparsity penalty, in (0, 1) (default: off).")
    Double sparsityTarget;

    @Option(names = "--tied-weights", description = "AE: the decoder uses the encoder's weights transposed (half the weights to learn).")
    boolean tiedWeights;

    @Option(names = "--beta", description = "VAE: weight of the KL term (default: 1).")
    Double beta;

    @Option(names = "--condition", paramLabel = "FIELD[,FIELD]", description = "cvae: the categorical or boolean features the"
            + " VAE is conditioned on (one model, \"normal for this site\"); their values are given, never scored.")
    String condition;

    @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A hyper-parameter of the chosen model family, "
            + "e.g. --param beta=4 (repeatable; --sparsity and --beta are short for the AE's and the VAE's).")
    Map<String, String> familyParameters;

    @Option(names = "--scaling", description = "standard or robust normalisation of numeric columns (default: standard).")
    Scaling scaling;

    @Option(names = "--false-alarm-rate", description = "Threshold = the (1 - rate) quantile of held-out scores (default: 0.01).")
    Double falseAlarmRate;

    @Option(names = "--contamination", description = "Known share of anomalies in the training data; overrides --false-alarm-rate.")
    Double contamination;

    @Option(names = "--window", paramLabel = "W", description = "Train a windowed model: its input is the last W records of one"
            + " key (--window-key), oldest first, scored by the detector per key (Avro input).")
    Integer window;

    @Option(names = "--window-key", paramLabel = "FIELD", description = "With --window: the field naming the entity (machineId, host…).")
    String windowKey;

    @Option(names = "--window-time", paramLabel = "FIELD", defaultValue = "timestamp",
            description = "With --window: the event-time field, epoch milliseconds (default: ${DEFAULT-VALUE}).")
    String windowTime;

    @Option(names = "--window-stride", paramLabel = "S", defaultValue = "1",
            description = "With --window: a window every S records (default: ${DEFAULT-VALUE}).")
    int windowStride;

    @Option(names = "--compare", split = ",", paramLabel = "FAMILY[,FAMILY]", description = "Also train these families"
            + " (with their defaults) on the same rows and show their latent spaces beside this model's in the report,"
            + " e.g. --model vae --compare ae. Only the --model one is written.")
    List<String> compare;

    @Option(names = "--no-report", description = "Do not write the HTML report.")
    boolean noReport;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Options.familyName(model, "--model"); // a bad name is a bad option: say so before reading any data
        Dataset data;
        if (window != null) {
            if (windowKey == null) {
                throw new IllegalArgumentException("--window needs --window-key FIELD (the entity each window belongs to)");
            }
            data = input.readWindows(new dev.anomaly.schemas.features.WindowSpec(windowKey, windowTime, window, windowStride));
        } else {
            data = input.read(null);
        }
        warnAboutData(data);
        TrainingConfig config = config(model, data);
        ModelKind kind = config.family().kind();
        String id = modelId != null ? modelId : out.getFileName().toString().replaceFirst("\\.onnx$", "");
        if (!quiet) {
            System.err.printf("Training %s on %d rows x %d columns from %s%n  %s%n", kind, data.rows(), data.width(), data.source(), config.describe());
        }
        ConsoleProgress progress = new ConsoleProgress(System.err);
        TrainingJob.Outcome outcome = TrainingJob.run(data, config, id, version, quiet ? dev.anomaly.trainer.model.ProgressListener.NONE : progress);
        if (!quiet) {
            progress.finish();
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".model-", ".onnx");
        Files.write(tmp, outcome.onnx());
        readableByAll(tmp); // a temporary file is created 0600; a model is meant to be copied, mounted and served by others
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("Model %s v%d (%s) written to %s (%d bytes)%n", id, version, kind, out, outcome.onnx().length);
        System.out.printf("  threshold %.6g (target alert rate %.2f %%), %d epochs (best %d), %s%n", outcome.metadata().threshold(),
                100 * outcome.metadata().falseAlarmRate(), outcome.network().history().epochs(), outcome.network().history().bestEpoch(),
                outcome.parity());
        outcome.evaluation().ifPresent(e -> System.out.printf(
                "  held-out evaluation (%d rows, %d anomalies): AUROC %.4f  AUPRC %.4f  precision %.3f  recall %.3f  F1 %.3f%n",
                e.rows(), e.anomalies(), e.auroc(), e.auprc(), e.atThreshold().precision(), e.atThreshold().recall(), e.atThreshold().f1()));
        Map<String, TrainingJob.Outcome> compared = new LinkedHashMap<>();
        for (String name : compare == null ? List.<String>of() : compare) {
            ModelFamily family = Options.family(name, "--compare");
            if (!quiet) {
                System.err.printf("Training %s on the same rows for the report's comparison%n", name);
            }
            compared.put(name, TrainingJob.run(data, config(family, data), id + "-" + name, version,
                    dev.anomaly.trainer.model.ProgressListener.NONE));
        }
        if (!noReport) {
            Path page = TrainingReport.write(reportDir(out), outcome, compared);
            System.out.printf("  report: %s%n", page);
        }
        return ExitCodes.OK;
    }

    /** Data that reads fine but is probably not what was meant: said before training, one line each. */
    private void warnAboutData(Dataset data) {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        if (input.label().isEmpty()) {
            java.util.Set<String> numeric = new java.util.HashSet<>();
            data.spec().features().stream().filter(f -> f.type() == dev.anomaly.schemas.features.FeatureType.NUMERIC)
                    .forEach(f -> numeric.add(f.name()));
            warnings.addAll(dev.anomaly.trainer.data.DataChecks.labelLikeColumns(data, numeric));
        }
        warnings.addAll(dev.anomaly.trainer.data.DataChecks.constantColumns(data));
        java.io.PrintWriter err = spec.commandLine().getErr();
        warnings.forEach(w -> err.println("warning: " + w));
        err.flush();
    }

    /** rw-r--r-- where the file system has POSIX permissions. */
    static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** The report directory beside a model file: {@code model.onnx} → {@code model.report/}. */
    public static Path reportDir(Path model) {
        String name = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        return model.toAbsolutePath().resolveSibling(name + ".report");
    }

    TrainingConfig config(String name, Dataset data) {
        Map<String, String> own = new LinkedHashMap<>(familyParameters == null ? Map.of() : familyParameters);
        if (sparsity != null) {
            own.put(Autoencoder.SPARSITY, sparsity.toString());
        }
        if (contraction != null) {
            own.put(Autoencoder.CONTRACTION, contraction.toString());
        }
        if (sparsityTarget != null) {
            own.put(Autoencoder.SPARSITY_TARGET, sparsityTarget.toString());
        }
        if (beta != null) {
            own.put(VariationalAutoencoder.BETA, beta.toString());
        }
        if (tiedWeights) {
            own.put(Autoencoder.TIED_WEIGHTS, "true");
        }
        if (condition != null) {
            own.put(dev.anomaly.trainer.family.ConditionalVae.CONDITION, condition);
        }
        return config(ModelFamilies.named(name, own), data);
    }

    /** The training settings for {@code family}: the options given, the family's defaults for the others. */
    TrainingConfig config(ModelFamily family, Dataset data) {
        TrainingConfig d = TrainingConfig.defaults(family, data.width(), (int) (data.rows() * (1 - (validationFraction == null ? 0.2 : validationFraction))));
        return new TrainingConfig(family,
                hidden == null ? d.hidden() : hidden.stream().mapToInt(Integer::intValue).toArray(),
                latent == null ? d.latent() : latent,
                activation == null ? d.activation() : activation,
                epochs == null ? d.epochs() : epochs,
                batchSize == null ? d.batchSize() : batchSize,
                learningRate == null ? d.learningRate() : learningRate,
                weightDecay == null ? d.weightDecay() : weightDecay,
                validationFraction == null ? d.validationFraction() : validationFraction,
                patience == null ? d.patience() : patience,
                seed == null ? d.seed() : seed,
                denoise == null ? d.denoise() : denoise,
                scaling == null ? d.scaling() : scaling,
                falseAlarmRate == null ? d.falseAlarmRate() : falseAlarmRate,
                contamination == null ? OptionalDouble.empty() : OptionalDouble.of(contamination));
    }
}
