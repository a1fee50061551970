package dev.anomaly.detector.scoring;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An input record waiting in the batch buffer, exactly as it arrived: bytes, headers and position. It is kept raw so
 * that it reaches the dead-letter topic unchanged, and so that features are extracted with whichever model scores it.
 */
public record PendingRecord(byte[] key, byte[] value, List<Header> headers, String topic, int partition, long offset,
                            long timestamp) {

    /** One record header. */
    public record Header(String key, byte[] value) {
    }

    public byte[] encode() {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        int size = 4 + t.length + 4 + 8 + 8 + 4 + len(key) + 4 + len(value) + 4;
        List<byte[]> hk = new ArrayList<>();
        for (Header h : headers) {
            byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
            hk.add(k);
            size += 4 + k.length + 4 + len(h.value());
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(t.length).put(t).putInt(partition).putLong(offset).putLong(timestamp);
        putBytes(b, key);
        putBytes(b, value);
        b.putInt(headers.size());
        for (int i = 0; i < headers.size(); i++) {
            b.putInt(hk.get(i).length).put(hk.get(i));
            putBytes(b, headers.get(i).value());
        }
        return b.array();
    }

    public static PendingRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] t = new byte[b.getInt()];
        b.get(t);
        int partition = b.getInt();
        long offset = b.getLong();
        long timestamp = b.getLong();
        byte[] key = getBytes(b);
        byte[] value = getBytes(b);
        int n = b.getInt();
        List<Header> headers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[b.getInt()];
            b.get(k);
            headers.add(new Header(new String(k, StandardCharsets.UTF_8), getBytes(b)));
        }
        return new PendingRecord(key, value, headers, new String(t, StandardCharsets.UTF_8), partition, offset, timestamp);
    }

    private static int len(byte[] a) {
        return a == null ? 0 : a.length;
    }

    private static void putBytes(ByteBuffer b, byte[] a) {
        if (a == null) {
            b.putInt(-1);
        } else {
            b.putInt(a.length).put(a);
        }
    }

    private static byte[] getBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) {
            return null;
        }
        byte[] a = new byte[n];
        b.get(a);
        return a;
    }
}
