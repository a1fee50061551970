package dev.anomaly.detector.windows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The last {@code size} rows of one key, as kept in the window store: a ring of rows and their event times, the count
 * of rows since the window (re)started, and which model's rows they are (a hash of its feature spec: rows of another
 * spec are not this model's input, so a model with another spec starts every window afresh).
 */
final class KeyWindow {
    private static final int VERSION = 2;
    private final int specHash;
    private final int size;
    private final int width;
    private long count;
    /** The Kafka timestamp of the record that last joined: idleness is measured on stream time, not on event time. */
    private long touched;
    private final long[] times;
    private final float[] rows;

    KeyWindow(int specHash, int size, int width) {
        this.specHash = specHash;
        this.size = size;
        this.width = width;
        this.times = new long[size];
        this.rows = new float[size * width];
    }

    int specHash() {
        return specHash;
    }

    long count() {
        return count;
    }

    long latestTime() {
        return times[(int) ((count - 1) % size)];
    }

    long touched() {
        return touched;
    }

    void add(long time, float[] row, long recordTimestamp) {
        touched = recordTimestamp;
        int slot = (int) (count % size);
        times[slot] = time;
        System.arraycopy(row, 0, rows, slot * width, width);
        count++;
    }

    boolean full() {
        return count >= size;
    }

    /** The window, oldest row first, flattened: what the model reads. */
    float[] flattened() {
        float[] out = new float[size * width];
        for (int step = 0; step < size; step++) {
            int slot = (int) ((count - size + step) % size);
            System.arraycopy(rows, slot * width, out, step * width, width);
        }
        return out;
    }

    long oldestTime() {
        return times[(int) ((count - size) % size)];
    }

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(bytes(size, width)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(VERSION).putInt(specHash).putInt(size).putInt(width).putLong(count).putLong(touched);
        for (long t : times) {
            b.putLong(t);
        }
        for (float v : rows) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Bytes one key's window takes in the store (the value; the key is extra). */
    static int bytes(int size, int width) {
        return 4 * 4 + 8 + 8 + size * 8 + size * width * 4;
    }

    /** The stored window, or null when it was written for another shape (it is then started afresh). */
    static KeyWindow fromBytes(byte[] bytes, int size, int width) {
        if (bytes == null || bytes.length != bytes(size, width)) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != VERSION) {
            return null;
        }
        KeyWindow w = new KeyWindow(b.getInt(), b.getInt(), b.getInt());
        if (w.size != size || w.width != width) {
            return null;
        }
        w.count = b.getLong();
        w.touched = b.getLong();
        for (int i = 0; i < size; i++) {
            w.times[i] = b.getLong();
        }
        for (int i = 0; i < size * width; i++) {
            w.rows[i] = b.getFloat();
        }
        return w;
    }
}
