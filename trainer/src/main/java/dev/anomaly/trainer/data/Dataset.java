package dev.anomaly.trainer.data;

import dev.anomaly.schemas.features.FeatureSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Rows of raw model input, all of one {@link FeatureSpec}, with optional ground-truth labels (1 = anomaly).
 *
 * @param spec   how the rows were extracted; {@code spec.width()} columns per row
 * @param values row-major {@code rows x spec.width()}
 * @param rows   number of rows
 * @param labels one per row when the source had a label column
 * @param source human-readable origin (file, topic range)
 */
public record Dataset(FeatureSpec spec, float[] values, int rows, Optional<int[]> labels, String source) {
    public Dataset {
        if (values.length != (long) rows * spec.width()) {
            throw new IllegalArgumentException("values has " + values.length + " floats, expected " + rows + " x " + spec.width());
        }
        labels.ifPresent(l -> {
            if (l.length != rows) {
                throw new IllegalArgumentException("labels has " + l.length + " entries for " + rows + " rows");
            }
        });
    }

    public int width() {
        return spec.width();
    }

    public float get(int row, int column) {
        return values[row * width() + column];
    }

    /** The rows at {@code indices}, in that order. */
    public Dataset select(int[] indices, String what) {
        int w = width();
        float[] out = new float[indices.length * w];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(values, indices[i] * w, out, i * w, w);
        }
        Optional<int[]> l = labels.map(all -> {
            int[] sel = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                sel[i] = all[indices[i]];
            }
            return sel;
        });
        return new Dataset(spec, out, indices.length, l, source + " (" + what + ")");
    }

    /** SHA-256 over the spec and the values: identifies the training data in model metadata. */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(spec.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ByteBuffer buf = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                if (buf.remaining() < 4) {
                    sha.update(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(v);
            }
            sha.update(buf.array(), 0, buf.position());
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
