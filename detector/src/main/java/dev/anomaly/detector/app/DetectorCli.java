package dev.anomaly.detector.app;

import dev.anomaly.scoring.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;

/**
 * Entry point of the detector's own distribution and container image ({@code anomaly detect}, {@code anomaly health}):
 * the detector without the trainer, DL4J or a Kafka broker. The all-in-one {@code anomaly} tool has the same commands
 * and exit codes, and hands the failures it does not know to {@link #handle}.
 */
@Command(name = "anomaly",
        mixinStandardHelpOptions = true,
        versionProvider = DetectorCli.Version.class,
        description = {"Streaming anomaly detection on Kafka with autoencoders: the detector service."},
        subcommands = {DetectCommand.class, HealthCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'anomaly <command> --help' for the options of a command.",
                "Exit codes: 0 ok, 1 unexpected failure, 2 bad options or configuration, 4 bad model."})
public final class DetectorCli implements Runnable {
    /** The exit codes both distributions document. */
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int BAD_MODEL = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new DetectorCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(DetectorCli::badParameters)
                .setExecutionExceptionHandler(DetectorCli::handle);
    }

    /** A bad command line: the one line that says what is wrong and where help is, not the whole usage. */
    public static int badParameters(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + e.getMessage());
        cmd.getErr().println("Run '" + name + " --help' for the options.");
        return USAGE;
    }

    /** Known failures get one clear line and a documented exit code; anything else is a bug and keeps its trace. */
    public static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        if (e instanceof ModelException) {
            cmd.getErr().println(name + ": bad model: " + e.getMessage());
            return BAD_MODEL;
        }
        if (e instanceof StartupException) {
            cmd.getErr().println(name + ": cannot start: " + e.getMessage());
            return USAGE;
        }
        if (e instanceof FileSystemException f) {
            cmd.getErr().println(name + ": " + fileProblem(f));
            return USAGE;
        }
        if (e instanceof IllegalArgumentException) {
            cmd.getErr().println(name + ": " + e.getMessage());
            cmd.getErr().println("Run '" + name + " --help' for the options.");
            return USAGE;
        }
        cmd.getErr().println(name + ": failed: " + e);
        e.printStackTrace(cmd.getErr());
        return FAILURE;
    }

    /** "cannot write out/scores.csv: permission denied", not a stack trace. */
    public static String fileProblem(FileSystemException f) {
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
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = DetectorCli.class.getResourceAsStream("/anomaly-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to what the manifest says
            }
            String version = p.getProperty("version", String.valueOf(DetectorCli.class.getPackage().getImplementationVersion()));
            String commit = p.getProperty("commit", "");
            String dirty = "true".equals(p.getProperty("dirty")) ? ", with uncommitted changes" : "";
            return new String[]{"anomaly " + version + (commit.isBlank() || commit.startsWith("${") ? "" : " (commit " + commit + dirty + ")"),
                    "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
