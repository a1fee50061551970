package dev.anomaly.deploy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code anomaly} tool: one executable for training, scoring, detection and the demo. */
@Command(name = "anomaly",
        mixinStandardHelpOptions = true,
        versionProvider = AnomalyCli.Version.class,
        description = {
                "Streaming anomaly detection on Kafka with autoencoders.",
                "Train an AE or VAE on historical records, export one ONNX model, score streams with it."},
        subcommands = {DemoCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'anomaly <command> --help' for the options of a command."})
public final class AnomalyCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new AnomalyCli()).setCaseInsensitiveEnumValuesAllowed(true);
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
