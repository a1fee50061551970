package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.model.ModelFamily;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The registry of model families by {@link ModelKind}: the one place a new family is added. A kind with no family
 * here is an error wherever it is asked for, never a fallback to another family.
 */
public final class ModelFamilies {
    private static final Map<ModelKind, Function<Map<String, String>, ModelFamily>> FAMILIES = new EnumMap<>(ModelKind.class);

    static {
        // An AE whose code is quantised to a codebook is the VQ-VAE: scored like the AE, its latent term measured to the
        // nearest codebook entry.
        FAMILIES.put(ModelKind.AE, p -> p.containsKey(VectorQuantisedAutoencoder.CODEBOOK) ? VectorQuantisedAutoencoder.from(p) : Autoencoder.from(p));
        // A VAE conditioned on some of its features is the conditional VAE: the same score (negative ELBO), given c.
        FAMILIES.put(ModelKind.VAE, p -> p.containsKey(ConditionalVae.CONDITION) ? ConditionalVae.from(p) : VariationalAutoencoder.from(p));
    }

    /**
     * Named variants of a kind: a family the user asks for by name whose scoring is its kind's, so that alerts and
     * releases (and their 0.1.0 readers) see the kind; its hyper-parameters in the model's metadata say which it is.
     */
    private static final Map<String, Map.Entry<ModelKind, Map<String, String>>> VARIANTS = Map.of(
            "cae", Map.entry(ModelKind.AE, Map.of(Autoencoder.CONTRACTION, Double.toString(Autoencoder.DEFAULT_CONTRACTION))),
            "cvae", Map.entry(ModelKind.VAE, Map.of(ConditionalVae.CONDITION, "")),
            "ae-tied", Map.entry(ModelKind.AE, Map.of(Autoencoder.TIED_WEIGHTS, "true")),
            "vqvae", Map.entry(ModelKind.AE, Map.of(VectorQuantisedAutoencoder.CODEBOOK, Integer.toString(VectorQuantisedAutoencoder.DEFAULT_CODEBOOK))));

    private ModelFamilies() {
    }

    /**
     * The family a user names: a kind ({@code ae}, {@code vae}) or a variant ({@code cae}: the AE with the contractive
     * penalty), with {@code parameters} over the variant's own defaults.
     */
    public static ModelFamily named(String name, Map<String, String> parameters) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        Map.Entry<ModelKind, Map<String, String>> variant = VARIANTS.get(key);
        if (variant != null) {
            Map<String, String> merged = new HashMap<>(variant.getValue());
            merged.putAll(parameters);
            return of(variant.getKey(), merged);
        }
        ModelKind kind;
        try {
            kind = ModelKind.valueOf(key.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown model '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return of(kind, parameters);
    }

    /** Every name {@link #named} accepts. */
    public static List<String> names() {
        List<String> names = new java.util.ArrayList<>(FAMILIES.keySet().stream().map(ModelFamilies::name).toList());
        names.addAll(new TreeSet<>(VARIANTS.keySet()));
        return names;
    }

    /** The family of {@code kind} with its default hyper-parameters. */
    public static ModelFamily of(ModelKind kind) {
        return of(kind, Map.of());
    }

    /**
     * The family of {@code kind} with the given hyper-parameters, each one it has not got being an error
     * (they come from a user).
     */
    public static ModelFamily of(ModelKind kind, Map<String, String> parameters) {
        ModelFamily family = factory(kind).apply(parameters);
        Set<String> unknown = new TreeSet<>(parameters.keySet());
        unknown.removeAll(family.parameterNames());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(name(kind) + " has no hyper-parameter " + String.join(", ", unknown)
                    + (family.parameterNames().isEmpty() ? "" : " (it has: " + String.join(", ", new TreeSet<>(family.parameterNames())) + ")"));
        }
        return family;
    }

    /**
     * The family of {@code kind} as a model's metadata describes it: each family reads its own hyper-parameters out of
     * all of the model's training settings; a missing one takes its default (models written before it existed).
     */
    public static ModelFamily fromMetadata(ModelKind kind, Map<String, String> hyperParameters) {
        return factory(kind).apply(hyperParameters);
    }

    /** Every registered family, with default hyper-parameters, in {@link ModelKind} order. */
    public static List<ModelFamily> all() {
        return FAMILIES.keySet().stream().map(ModelFamilies::of).toList();
    }

    /** The user-facing name of a kind: {@code ae}, {@code vae}. */
    public static String name(ModelKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static Function<Map<String, String>, ModelFamily> factory(ModelKind kind) {
        Function<Map<String, String>, ModelFamily> factory = FAMILIES.get(kind);
        if (factory == null) {
            throw new IllegalArgumentException("no model family is registered for kind " + kind + " (known: "
                    + String.join(", ", FAMILIES.keySet().stream().map(ModelFamilies::name).toList()) + ")");
        }
        return factory;
    }

    /** A numeric hyper-parameter, or {@code fallback} when absent; a clear error when it is not a number. */
    static double number(Map<String, String> parameters, String name, double fallback) {
        String text = parameters.get(name);
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
        }
    }
}
