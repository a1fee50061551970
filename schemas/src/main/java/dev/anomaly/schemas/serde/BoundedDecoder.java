package dev.anomaly.schemas.serde;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Avro binary decoding of one datum held in a byte array, that never allocates more than the bytes can justify.
 * Avro's own decoder trusts length prefixes up to its system limits (about 2 GiB by default), so five bytes claiming a
 * 2 GiB string, or an array of two billion items, allocate that much before finding out the bytes are not there.
 * Here:
 * <ul>
 *   <li>a string, bytes or fixed value must fit in the bytes left and in {@link DecodeLimits#maxLength()};</li>
 *   <li>the item counts that array and map blocks announce (the reader allocates that many slots at once) add up to at
 *       most the payload's size plus {@link DecodeLimits#zeroSizeItems()}: every item of a type that takes bytes consumes
 *       at least one, so only items of zero-size types (null, empty records) can outnumber the bytes, and those only by
 *       that allowance; and no collection holds more than {@link DecodeLimits#maxCollectionItems()};</li>
 *   <li>a varint longer than its type allows is malformed.</li>
 * </ul>
 * So decoding a record allocates at most a small multiple of its size. Running out of bytes is an {@link EOFException};
 * every other violation an {@link AvroRuntimeException}.
 */
final class BoundedDecoder extends Decoder {
    private final byte[] buf;
    private final int limit;
    private final DecodeLimits limits;
    private int pos;
    /** Item slots that blocks may still announce in this datum. */
    private long itemBudget;

    BoundedDecoder(byte[] buf, int offset, int length, DecodeLimits limits) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
        this.limits = limits;
        this.itemBudget = (long) length + limits.zeroSizeItems();
    }

    /** True when every byte has been read. */
    boolean isEnd() {
        return pos == limit;
    }

    private int remaining() {
        return limit - pos;
    }

    private void need(int n) throws EOFException {
        if (n > limit - pos) {
            throw new EOFException("needs " + n + " more bytes, " + (limit - pos) + " left");
        }
    }

    @Override
    public void readNull() {
    }

    @Override
    public boolean readBoolean() throws IOException {
        need(1);
        return buf[pos++] == 1;
    }

    @Override
    public int readInt() throws IOException {
        int value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            need(1);
            int b = buf[pos++] & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw new AvroRuntimeException("Invalid int encoding: varint longer than 5 bytes");
    }

    @Override
    public long readLong() throws IOException {
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            need(1);
            long b = buf[pos++] & 0xff;
            value |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (value >>> 1) ^ -(value & 1);
            }
        }
        throw new AvroRuntimeException("Invalid long encoding: varint longer than 10 bytes");
    }

    @Override
    public float readFloat() throws IOException {
        need(4);
        int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8);
        long lo = (buf[pos] & 0xffL) | (buf[pos + 1] & 0xffL) << 8 | (buf[pos + 2] & 0xffL) << 16 | (buf[pos + 3] & 0xffL) << 24;
        long hi = (buf[pos + 4] & 0xffL) | (buf[pos + 5] & 0xffL) << 8 | (buf[pos + 6] & 0xffL) << 16 | (buf[pos + 7] & 0xffL) << 24;
        pos += 8;
        return Double.longBitsToDouble(lo | hi << 32);
    }

    /** Reads a length prefix and checks that so many bytes are there, before anything is allocated for them. */
    private int length(String what) throws IOException {
        long n = readLong();
        if (n < 0) {
            throw new AvroRuntimeException("Malformed data: " + what + " length is negative: " + n);
        }
        if (n > limits.maxLength()) {
            throw new AvroRuntimeException(what + " length " + n + " exceeds the limit of " + limits.maxLength() + " bytes");
        }
        need((int) n);
        return (int) n;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int n = length("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(n);
        System.arraycopy(buf, pos, result.getBytes(), 0, n);
        pos += n;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int n = length("string");
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    @Override
    public void skipString() throws IOException {
        int n = length("string"); // not "pos += length(...)": Java reads pos before the call advances it
        pos += n;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int n = length("bytes");
        ByteBuffer result = old != null && old.capacity() >= n ? old.clear() : ByteBuffer.allocate(n);
        result.put(buf, pos, n).flip();
        pos += n;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        int n = length("bytes");
        pos += n;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        need(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    /** A block's item count (a negative count is followed by the block's size in bytes, which only skipping uses). */
    private long blockCount() throws IOException {
        long n = readLong();
        if (n < 0) {
            if (n == Long.MIN_VALUE) {
                throw new AvroRuntimeException("Malformed data: block count " + n);
            }
            readLong();
            n = -n;
        }
        if (n > limits.maxCollectionItems()) {
            throw new AvroRuntimeException("Collection block of " + n + " items exceeds the limit of " + limits.maxCollectionItems());
        }
        if (n > itemBudget) {
            throw new AvroRuntimeException("Collection block of " + n + " items: more than the " + remaining()
                    + " bytes left can hold");
        }
        itemBudget -= n;
        return n;
    }

    @Override
    public long readArrayStart() throws IOException {
        return blockCount();
    }

    @Override
    public long arrayNext() throws IOException {
        return blockCount();
    }

    @Override
    public long readMapStart() throws IOException {
        return blockCount();
    }

    @Override
    public long mapNext() throws IOException {
        return blockCount();
    }

    /** Skips blocks that carry their byte size; returns the item count of the first block that does not (0 at the end). */
    private long skipBlocks() throws IOException {
        while (true) {
            long n = readLong();
            if (n >= 0) {
                return blockCountChecked(n);
            }
            long size = readLong();
            if (size < 0 || size > remaining()) {
                throw new EOFException("collection block of " + size + " bytes, " + remaining() + " left");
            }
            pos += (int) size;
        }
    }

    private long blockCountChecked(long n) {
        if (n > limits.maxCollectionItems() || n > itemBudget) {
            throw new AvroRuntimeException("Collection block of " + n + " items: more than the bytes left can hold");
        }
        itemBudget -= n;
        return n;
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks();
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks();
    }
}
