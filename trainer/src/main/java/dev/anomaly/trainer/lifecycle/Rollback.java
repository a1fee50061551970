package dev.anomaly.trainer.lifecycle;

import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.release.ReleaseSigning;
import dev.anomaly.schemas.release.SigningKey;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.trainer.export.OnnxExporter;
import dev.anomaly.trainer.export.OnnxImporter;
import dev.anomaly.trainer.publish.ModelPublisher;

import java.util.Optional;

/**
 * Rollback and promote are new releases: the model of a version already on the topic, re-exported as the next version
 * (so versions stay monotonic and every detector's "newer wins" rule takes it), marked to serve at once without a
 * shadow trial (an operator decided), with a note saying what it is, signed.
 */
public final class Rollback {
    private Rollback() {
    }

    /**
     * Back to an earlier version.
     *
     * @throws IllegalArgumentException when version {@code to} of {@code modelId} is not on the topic any more (the
     *                                  compacted topic keeps the latest release per model) or is the latest already
     */
    public static ModelRelease to(ModelHistory history, String modelId, int to, Optional<SigningKey> key) {
        int latest = history.latestVersion(modelId);
        if (to == latest) {
            throw new IllegalArgumentException(modelId + " v" + to + " is the latest release already");
        }
        return republish(history, modelId, to, "rollback to v" + to + " (latest was v" + latest + ")", key);
    }

    /** Serve {@code version} now: a version in shadow without waiting for its trial, or one a detector rejected in shadow. */
    public static ModelRelease promote(ModelHistory history, String modelId, int version, Optional<SigningKey> key) {
        return republish(history, modelId, version, "promoted v" + version + " by an operator", key);
    }

    private static ModelRelease republish(ModelHistory history, String modelId, int to, String note, Optional<SigningKey> key) {
        ModelHistory.Entry target = history.find(modelId, to).orElseThrow(() -> new IllegalArgumentException(modelId + " v" + to
                + " is not on the models topic (compaction keeps only the latest releases): publish its model file instead"));
        int latest = history.latestVersion(modelId);
        OnnxImporter.Imported imported = OnnxImporter.read(target.release().getOnnx().array());
        ModelMetadata m = imported.metadata();
        ModelMetadata next = new ModelMetadata(m.modelId(), latest + 1, m.kind(), m.featureSpec(), m.threshold(), m.falseAlarmRate(),
                m.baseline(), m.trainingFingerprint(), m.hyperParameters(), m.metrics(), m.createdAt());
        byte[] onnx = OnnxExporter.export(imported.network(), next);
        ModelRelease release = ModelPublisher.release(onnx, ReleaseReason.MANUAL, note);
        release.setImmediate(true);
        return key.map(k -> ReleaseSigning.sign(release, k)).orElse(release);
    }
}
