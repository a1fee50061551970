package dev.anomaly.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.FeatureSpec;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an exported model says about itself, stored as ONNX {@code metadata_props} under {@code anomaly.*} keys.
 *
 * @param modelId             stable identifier (the key on the models topic)
 * @param version             release number of this model id
 * @param kind                AE or VAE
 * @param featureSpec         how records become the model's raw input row
 * @param threshold           alert threshold on the score
 * @param falseAlarmRate      alert rate the threshold was calibrated for on held-out training data
 * @param baseline            score and feature quantiles for drift detection
 * @param trainingFingerprint SHA-256 of the training matrix, to tell which data a model saw
 * @param hyperParameters     training settings, as text
 * @param metrics             training and evaluation metrics
 * @param createdAt           training time
 */
public record ModelMetadata(String modelId, int version, ModelKind kind, FeatureSpec featureSpec, double threshold,
                            double falseAlarmRate, Baseline baseline, String trainingFingerprint,
                            Map<String, String> hyperParameters, Map<String, Double> metrics, Instant createdAt) {
    public static final String FORMAT_VERSION = "1";
    /** Metrics: the lowest and highest score on the held-out rows the threshold was calibrated on. */
    public static final String HELDOUT_SCORE_MIN = "heldout_score_min";
    public static final String HELDOUT_SCORE_MAX = "heldout_score_max";
    private static final String P = "anomaly.";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelMetadata {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(featureSpec, "featureSpec");
        Objects.requireNonNull(baseline, "baseline");
        hyperParameters = Map.copyOf(hyperParameters);
        metrics = Map.copyOf(metrics);
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite");
        }
    }

    /**
     * The alert rule, the one place it is written: a score strictly above the threshold alerts. A non-finite score
     * never alerts here; the detector routes it to the dead-letter topic before asking.
     */
    public boolean isAlert(double score) {
        return score > threshold;
    }

    /** The same model under another id and version (a re-release). */
    public ModelMetadata withRelease(String newId, int newVersion) {
        return new ModelMetadata(newId, newVersion, kind, featureSpec, threshold, falseAlarmRate, baseline,
                trainingFingerprint, hyperParameters, metrics, createdAt);
    }

    /** The ONNX metadata_props. */
    public Map<String, String> toProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(P + "format_version", FORMAT_VERSION);
        p.put(P + "model_id", modelId);
        p.put(P + "model_version", Integer.toString(version));
        p.put(P + "kind", kind.name());
        p.put(P + "feature_spec", featureSpec.toJson());
        p.put(P + "threshold", Double.toString(threshold));
        p.put(P + "false_alarm_rate", Double.toString(falseAlarmRate));
        p.put(P + "baseline", json(baseline));
        p.put(P + "training_fingerprint", trainingFingerprint);
        p.put(P + "hyperparameters", json(hyperParameters));
        p.put(P + "metrics", json(metrics));
        p.put(P + "created_at", createdAt.toString());
        return p;
    }

    /**
     * Reads the metadata of an exported model.
     *
     * @throws IllegalArgumentException naming the missing or malformed key
     */
    public static ModelMetadata fromProperties(Map<String, String> props) {
        String format = props.get(P + "format_version");
        if (format == null) {
            throw new IllegalArgumentException("Not an anomaly model: ONNX metadata has no '" + P + "format_version'");
        }
        if (!FORMAT_VERSION.equals(format)) {
            throw new IllegalArgumentException("Unsupported model format version " + format + " (this build reads " + FORMAT_VERSION + ")");
        }
        try {
            return new ModelMetadata(
                    required(props, "model_id"),
                    Integer.parseInt(required(props, "model_version")),
                    ModelKind.valueOf(required(props, "kind")),
                    FeatureSpec.fromJson(required(props, "feature_spec")),
                    Double.parseDouble(required(props, "threshold")),
                    Double.parseDouble(props.getOrDefault(P + "false_alarm_rate", "NaN")),
                    JSON.readValue(required(props, "baseline"), Baseline.class),
                    props.getOrDefault(P + "training_fingerprint", ""),
                    JSON.readValue(props.getOrDefault(P + "hyperparameters", "{}"), new TypeReference<Map<String, String>>() { }),
                    JSON.readValue(props.getOrDefault(P + "metrics", "{}"), new TypeReference<Map<String, Double>>() { }),
                    Instant.parse(required(props, "created_at")));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Malformed model metadata: " + e.getOriginalMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Malformed model metadata: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> props, String key) {
        String v = props.get(P + key);
        if (v == null) {
            throw new IllegalArgumentException("model metadata lacks '" + P + key + "'");
        }
        return v;
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Why the threshold cannot be the one this model was calibrated with, or empty: it must lie inside the model's own
     * held-out score range (it is finite: the constructor refuses others) (models without that range: inside the baseline's score quantiles, widened by
     * their spread on each side). A threshold of 1e30 silences every alert; one below every score alerts on everything.
     */
    public java.util.Optional<String> thresholdProblem() {
        double low;
        double high;
        String what;
        Double min = metrics.get(HELDOUT_SCORE_MIN);
        Double max = metrics.get(HELDOUT_SCORE_MAX);
        if (min != null && max != null) {
            low = min;
            high = max;
            what = "held-out score range";
        } else {
            double[] q = baseline.scoreQuantiles();
            double spread = q[q.length - 1] - q[0];
            low = q[0] - spread;
            high = q[q.length - 1] + spread;
            what = "baseline score quantiles widened by their spread";
        }
        if (threshold < low || threshold > high) {
            return java.util.Optional.of(String.format(java.util.Locale.ROOT, "threshold %.6g lies outside the model's %s [%.6g, %.6g]",
                    threshold, what, low, high));
        }
        return java.util.Optional.empty();
    }
}
