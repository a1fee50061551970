package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.release.SigningKey;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** How a command that publishes releases signs them. */
public final class SigningOptions {
    @Option(names = "--signing-key", paramLabel = "FILE", description = "Ed25519 private key (PEM, with its .pub beside it) to sign"
            + " the release with; 'anomaly keys generate' makes one (or ANOMALY_SIGNING_KEY).")
    Path signingKey;

    @Option(names = "--unsigned", description = "Publish without a signature (only detectors with detector.models.allow.unsigned=true serve it).")
    boolean unsigned;

    /** The key from --signing-key or ANOMALY_SIGNING_KEY; none only when --unsigned says so. */
    Optional<SigningKey> key() {
        Path keyFile = signingKey != null ? signingKey
                : System.getenv("ANOMALY_SIGNING_KEY") != null ? Path.of(System.getenv("ANOMALY_SIGNING_KEY")) : null;
        if (keyFile == null && !unsigned) {
            throw new IllegalArgumentException("--signing-key FILE is required (detectors refuse unsigned releases); make a key with"
                    + " 'anomaly keys generate', or pass --unsigned");
        }
        if (keyFile != null && unsigned) {
            throw new IllegalArgumentException("--signing-key and --unsigned contradict each other");
        }
        return Optional.ofNullable(keyFile).map(SigningKey::read);
    }
}
