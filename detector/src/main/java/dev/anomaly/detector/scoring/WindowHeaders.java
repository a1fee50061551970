package dev.anomaly.detector.scoring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the window stage tells scoring about a record, as headers on the record it passes on: the window the record
 * completes (its rows, its key and its oldest event time), or why the record cannot join one. A record carrying
 * neither reached scoring without the stage having windowed it.
 */
public final class WindowHeaders {
    /** The window, oldest row first: W x F float32, little-endian. */
    public static final String ROW = "anomaly.window.row";
    /** The window's key, UTF-8. */
    public static final String KEY = "anomaly.window.key";
    /** The oldest row's event time, epoch milliseconds (8 bytes, big-endian). */
    public static final String START = "anomaly.window.start";
    /** "REASON: message": the record cannot join a window and goes to the dead-letter topic. */
    public static final String REJECT = "anomaly.window.reject";

    private WindowHeaders() {
    }

    public static byte[] rows(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public static byte[] time(long millis) {
        return ByteBuffer.allocate(8).putLong(millis).array();
    }

    public static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The last header {@code key} of {@code record}, or null. */
    public static byte[] get(PendingRecord record, String key) {
        List<PendingRecord.Header> headers = record.headers();
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).key().equals(key)) {
                return headers.get(i).value();
            }
        }
        return null;
    }

    /** Reads {@link #ROW} into {@code out} from {@code offset}; false when its length is not {@code width} floats. */
    public static boolean readRows(byte[] header, float[] out, int offset, int width) {
        if (header.length != width * 4) {
            return false;
        }
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, offset, width);
        return true;
    }

    public static long readTime(byte[] header) {
        return ByteBuffer.wrap(header).getLong();
    }
}
