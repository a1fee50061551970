package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.avro.ModelKind;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Option values parsed the same way by every command, with a one-line error naming the option and the choices. */
final class Options {
    private Options() {
    }

    /** A model family by name ({@code ae}, {@code vae}), any case. */
    static ModelKind modelKind(String value, String option) {
        try {
            return ModelKind.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value for option '" + option + "': '" + value + "' (choose from "
                    + Arrays.stream(ModelKind.values()).map(k -> k.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ")");
        }
    }
}
