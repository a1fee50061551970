package dev.anomaly.deploy.cli;

import dev.anomaly.detector.app.DetectCommand;
import dev.anomaly.schemas.model.ModelException;
import dev.anomaly.trainer.cli.EvaluateCommand;
import dev.anomaly.trainer.cli.ExitCodes;
import dev.anomaly.trainer.cli.PublishCommand;
import dev.anomaly.trainer.cli.RetrainCommand;
import dev.anomaly.trainer.cli.ScoreCommand;
import dev.anomaly.trainer.cli.TrainCommand;
import dev.anomaly.trainer.data.DataException;
import dev.anomaly.trainer.export.ParityException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code anomaly} tool: one executable for training, scoring, detection and the demo. */
@Command(name = "anomaly",
        mixinStandardHelpOptions = true,
        versionProvider = AnomalyCli.Version.class,
        description = {
                "Streaming anomaly detection on Kafka with autoencoders.",
                "Train an AE or VAE on historical records, export one ONNX model, score streams with it."},
        subcommands = {TrainCommand.class, ScoreCommand.class, EvaluateCommand.class, PublishCommand.class, DetectCommand.class, RetrainCommand.class, DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Run 'anomaly <command> --help' for the options of a command."})
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
                .setExecutionExceptionHandler(AnomalyCli::handle);
    }

    /** Known failures get one clear line and a documented exit code; anything else is a bug and keeps its trace. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandName();
        if (e instanceof DataException) {
            cmd.getErr().println(name + ": bad input: " + e.getMessage());
            return ExitCodes.BAD_DATA;
        }
        if (e instanceof ParityException || e instanceof ModelException) {
            cmd.getErr().println(name + ": bad model: " + e.getMessage());
            return ExitCodes.BAD_MODEL;
        }
        if (e instanceof dev.anomaly.detector.app.StartupException) {
            cmd.getErr().println(name + ": cannot start: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (e instanceof IllegalArgumentException) {
            cmd.getErr().println(name + ": " + e.getMessage());
            cmd.getErr().println("Run 'anomaly " + name + " --help' for the options.");
            return ExitCodes.USAGE;
        }
        cmd.getErr().println(name + ": failed: " + e);
        e.printStackTrace(cmd.getErr());
        return ExitCodes.FAILURE;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AnomalyCli.class.getPackage().getImplementationVersion();
            return new String[]{"anomaly " + (v == null ? "(development build)" : v)};
        }
    }
}
