package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.release.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code anomaly keys generate}: a key pair for signing model releases. */
@Command(name = "keys", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Make the key pair that signs model releases.",
        description = {"'anomaly keys generate --out DIR' writes DIR/NAME.key (the private key, readable by its owner only: give it to"
                + " 'anomaly publish --signing-key' and retrain.signing.key.file) and DIR/NAME.pub (the public key: list it in the"
                + " detectors' detector.models.trusted.keys). Ed25519, PEM, as openssl genpkey writes them; never overwrites a key.",
                "Exit codes: 0 ok, 2 bad options."},
        subcommands = KeysCommand.Generate.class)
public final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: generate");
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, header = "Write a new Ed25519 key pair.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the two files (created if needed).")
        Path dir;

        @Option(names = "--name", defaultValue = "publisher", description = "File name without extension (default: ${DEFAULT-VALUE}).")
        String name;

        @Override
        public Integer call() throws IOException {
            String id = SigningKey.generate(dir, name);
            System.out.printf("Wrote %s (private: keep it secret) and %s (public: give it to detectors); key id %s%n",
                    dir.resolve(name + ".key"), dir.resolve(name + ".pub"), id);
            return ExitCodes.OK;
        }
    }
}
