package dev.anomaly.schemas.release;

import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseSignature;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.util.HexFormat;

/**
 * What a release's signature covers and how it is made. The signed content is a versioned text of length-prefixed
 * fields (so that no field can bleed into the next): the model id, version, kind, creation time, reason, note,
 * threshold and the SHA-256 of the feature spec and of the ONNX bytes. The ONNX file carries everything the detector
 * serves (threshold, baseline, feature spec in its metadata), so its digest binds them all; the others bind the
 * release's own fields that the detector or an operator reads.
 */
public final class ReleaseSigning {
    public static final String ALGORITHM = "Ed25519";
    static final String FORMAT = "anomaly-model-release/1";

    private ReleaseSigning() {
    }

    /** The bytes a release's signature is over (its signature field excluded). */
    public static byte[] signedContent(ModelRelease r) {
        StringBuilder b = new StringBuilder(FORMAT).append('\n');
        field(b, "model-id", r.getModelId().toString());
        field(b, "version", Integer.toString(r.getVersion()));
        field(b, "kind", r.getKind().name());
        field(b, "created-at", Long.toString(r.getCreatedAt().toEpochMilli()));
        field(b, "reason", r.getReason().name());
        field(b, "note", r.getNote() == null ? "" : r.getNote().toString());
        field(b, "threshold", Double.toString(r.getThreshold()));
        field(b, "feature-spec-sha256", sha256(r.getFeatureSpec().toString().getBytes(StandardCharsets.UTF_8)));
        field(b, "onnx-sha256", sha256(bytes(r.getOnnx())));
        if (r.getImmediate()) { // only when set, so that releases signed before the field existed still verify
            field(b, "immediate", "true");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The release with {@code key}'s signature (replacing any). */
    public static ModelRelease sign(ModelRelease release, SigningKey key) {
        ModelRelease copy = ModelRelease.newBuilder(release).setSignature(null).build();
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key.privateKey());
            s.update(signedContent(copy));
            copy.setSignature(ReleaseSignature.newBuilder().setKeyId(key.keyId()).setAlgorithm(ALGORITHM)
                    .setValue(ByteBuffer.wrap(s.sign())).build());
            return copy;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign with key " + key.keyId() + ": " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(name).append(':').append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append('\n');
    }
}
