package dev.anomaly.deploy.cli;

import dev.anomaly.detector.app.DetectCommand;
import dev.anomaly.detector.app.StartupException;
import dev.anomaly.scoring.ModelException;
import dev.anomaly.trainer.cli.EvaluateCommand;
import dev.anomaly.trainer.cli.ExitCodes;
import dev.anomaly.trainer.cli.PublishCommand;
import dev.anomaly.trainer.cli.RetrainCommand;
import dev.anomaly.trainer.cli.ScoreCommand;
import dev.anomaly.trainer.cli.TrainCommand;
import dev.anomaly.trainer.data.UnavailableException;
import dev.anomaly.trainer.data.DataException;
import dev.anomaly.trainer.export.ParityException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;

/** Entry point of the {@code anomaly} tool: one executable for training, scoring, detection and the demo. */
@Command(name = "anomaly",
        mixinStandardHelpOptions = true,
        versionProvider = AnomalyCli.Version.class,
        description = {
                "Streaming anomaly detection on Kafka with autoencoders.",
                "Train an AE or VAE on historical records, export one ONNX model, score streams with it."},
        subcommands = {TrainCommand.class, ScoreCommand.class, EvaluateCommand.class, PublishCommand.class, DetectCommand.class, RetrainCommand.class, DemoCommand.class, SimulateCommand.class, HealthCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Run 'anomaly <command> --help' for the options of a command.",
                "Exit codes: 0 ok, 1 unexpected failure, 2 bad options or configuration, 3 bad input data, 4 bad model,",
                "5 Kafka or the schema registry unreachable."})
public final class AnomalyCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new AnomalyCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(AnomalyCli::badParameters)
                .setExecutionExceptionHandler(AnomalyCli::handle);
    }

    /** A bad command line: the one line that says what is wrong and where help is, not the whole usage. */
    private static int badParameters(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println(qualifiedName(cmd) + ": " + e.getMessage());
        cmd.getErr().println("Run '" + qualifiedName(cmd) + " --help' for the options.");
        return ExitCodes.USAGE;
    }

    private static String qualifiedName(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /** Known failures get one clear line and a documented exit code; anything else is a bug and keeps its trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = qualifiedName(cmd);
        if (e instanceof DataException) {
            cmd.getErr().println(name + ": bad input: " + e.getMessage());
            return ExitCodes.BAD_DATA;
        }
        if (e instanceof ParityException || e instanceof ModelException) {
            cmd.getErr().println(name + ": bad model: " + e.getMessage());
            return ExitCodes.BAD_MODEL;
        }
        if (e instanceof UnavailableException) {
            cmd.getErr().println(name + ": unavailable: " + e.getMessage());
            return ExitCodes.UNAVAILABLE;
        }
        if (e instanceof StartupException) {
            cmd.getErr().println(name + ": cannot start: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (e instanceof FileSystemException f) {
            cmd.getErr().println(name + ": " + fileProblem(f));
            return ExitCodes.USAGE;
        }
        if (e instanceof IllegalArgumentException) {
            cmd.getErr().println(name + ": " + e.getMessage());
            cmd.getErr().println("Run '" + name + " --help' for the options.");
            return ExitCodes.USAGE;
        }
        cmd.getErr().println(name + ": failed: " + e);
        e.printStackTrace(cmd.getErr());
        return ExitCodes.FAILURE;
    }

    /** "cannot write out/scores.csv: permission denied", not a stack trace. */
    static String fileProblem(FileSystemException f) {
        String what = f instanceof NoSuchFileException ? "no such file or directory"
                : f instanceof AccessDeniedException ? "permission denied"
                : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
        return f.getFile() + ": " + what;
    }

    @Override
    public void run() {
        // Without a command there is nothing to do: say how to use it, and fail like any bad command line.
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** {@code anomaly <version> (commit <abbrev>)}, from the resource the build writes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = AnomalyCli.class.getResourceAsStream("/anomaly-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to what the manifest says
            }
            String version = p.getProperty("version", String.valueOf(AnomalyCli.class.getPackage().getImplementationVersion()));
            String commit = p.getProperty("commit", "");
            String dirty = "true".equals(p.getProperty("dirty")) ? ", with uncommitted changes" : "";
            return new String[]{"anomaly " + version + (commit.isBlank() || commit.startsWith("${") ? "" : " (commit " + commit + dirty + ")"),
                    "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
