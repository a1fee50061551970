package dev.anomaly.deploy.cli;

import dev.anomaly.detector.app.DetectCommand;
import dev.anomaly.detector.app.DetectorCli;
import dev.anomaly.detector.app.HealthCommand;
import dev.anomaly.trainer.cli.EvaluateCommand;
import dev.anomaly.trainer.cli.ExitCodes;
import dev.anomaly.trainer.cli.PublishCommand;
import dev.anomaly.trainer.cli.RetrainCommand;
import dev.anomaly.trainer.cli.FeedbackCommand;
import dev.anomaly.trainer.cli.KeysCommand;
import dev.anomaly.trainer.cli.ModelsCommand;
import dev.anomaly.trainer.cli.SampleCommand;
import dev.anomaly.trainer.cli.ScoreCommand;
import dev.anomaly.trainer.cli.TrainCommand;
import dev.anomaly.trainer.data.UnavailableException;
import dev.anomaly.trainer.data.DataException;
import dev.anomaly.trainer.export.ParityException;
import picocli.CommandLine;
import picocli.CommandLine.Command;


/** Entry point of the {@code anomaly} tool: one executable for training, scoring, detection and the demo. */
@Command(name = "anomaly",
        mixinStandardHelpOptions = true,
        versionProvider = DetectorCli.Version.class,
        description = {
                "Streaming anomaly detection on Kafka with autoencoders.",
                "Train an AE or VAE on historical records, export one ONNX model, score streams with it."},
        subcommands = {TrainCommand.class, ScoreCommand.class, EvaluateCommand.class, PublishCommand.class, DetectCommand.class, RetrainCommand.class, DemoCommand.class, SimulateCommand.class, SampleCommand.class, KeysCommand.class, ModelsCommand.class, FeedbackCommand.class, HealthCommand.class},
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
                .addSubcommand("bench", BenchCommands.command())
                .addSubcommand("help", new CommandLine.HelpCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(DetectorCli::badParameters)
                .setExecutionExceptionHandler(AnomalyCli::handle);
    }

    /** Failures of training and data get their own exit codes; the rest are handled as the detector's CLI does. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        if (e instanceof DataException) {
            cmd.getErr().println(name + ": bad input: " + e.getMessage());
            return ExitCodes.BAD_DATA;
        }
        if (e instanceof ParityException) {
            cmd.getErr().println(name + ": bad model: " + e.getMessage());
            return ExitCodes.BAD_MODEL;
        }
        if (e instanceof UnavailableException) {
            cmd.getErr().println(name + ": unavailable: " + e.getMessage());
            return ExitCodes.UNAVAILABLE;
        }
        return DetectorCli.handle(e, cmd, parsed);
    }

    @Override
    public void run() {
        // Without a command there is nothing to do: say how to use it, and fail like any bad command line.
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
