package dev.anomaly.trainer.cli;

import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.ModelFamily;

import java.util.Map;

/** Option values parsed the same way by every command, with a one-line error naming the option and the choices. */
final class Options {
    private Options() {
    }

    /** A model family by the name a user gives ({@code ae}, {@code vae}, {@code cae}), any case, with its defaults. */
    static ModelFamily family(String value, String option) {
        try {
            return ModelFamilies.named(value, Map.of());
        } catch (IllegalArgumentException e) {
            if (ModelFamilies.names().contains(value.trim().toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("Invalid value for option '" + option + "': " + e.getMessage());
            }
            throw new IllegalArgumentException("Invalid value for option '" + option + "': '" + value + "' (choose from "
                    + String.join(", ", ModelFamilies.names()) + ")");
        }
    }

    /** Checks that {@code value} names a model family, without building it (its own options may be needed). */
    static void familyName(String value, String option) {
        if (!ModelFamilies.names().contains(value.trim().toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("Invalid value for option '" + option + "': '" + value + "' (choose from "
                    + String.join(", ", ModelFamilies.names()) + ")");
        }
    }
}
