package dev.anomaly.trainer.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Walks an Avro object container file's framing — header metadata, then each block's item count and byte size — and
 * checks every length against the bytes the file has left, before Avro's reader allocates a buffer of the size a block
 * claims. A corrupt or hostile file claiming a 2 GB block in a few kilobytes is a clear error, not an OutOfMemoryError.
 */
final class AvroContainerCheck {
    private static final byte[] MAGIC = {'O', 'b', 'j', 1};
    private static final int SYNC = 16;

    private AvroContainerCheck() {
    }

    /** @throws DataException naming the first length that does not fit */
    static void check(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new DataException("Cannot read Avro file " + file + ": " + e.getMessage(), e);
        }
        try (Counting in = new Counting(new BufferedInputStream(Files.newInputStream(file)))) {
            for (byte b : MAGIC) {
                if (in.read() != (b & 0xff)) {
                    throw new DataException("Cannot read Avro file " + file + ": not an Avro object container file (bad magic)");
                }
            }
            for (long count = in.varint(); count != 0; count = in.varint()) { // the metadata map, in blocks
                if (count < 0) {
                    count = -count;
                    in.varint(); // the block's size in bytes
                }
                for (long i = 0; i < count; i++) {
                    in.skip(length(in, size, file, "metadata key"));
                    in.skip(length(in, size, file, "metadata value"));
                }
            }
            in.skip(SYNC);
            while (in.position < size) {
                long items = in.varint();
                if (items < 0) {
                    throw new DataException(file + ": corrupt Avro block at byte " + in.position + " (negative item count)");
                }
                in.skip(length(in, size, file, "data block"));
                in.skip(SYNC);
            }
        } catch (EOFException e) {
            throw new DataException("Cannot read Avro file " + file + ": it ends in the middle of a block", e);
        } catch (IOException e) {
            throw new DataException("Cannot read Avro file " + file + ": " + e.getMessage(), e);
        }
    }

    private static long length(Counting in, long size, Path file, String what) throws IOException {
        long at = in.position;
        long n = in.varint();
        if (n < 0 || n > size - in.position) {
            throw new DataException(file + ": corrupt Avro file: the " + what + " at byte " + at + " claims " + n
                    + " bytes, the file has " + (size - in.position) + " left");
        }
        return n;
    }

    /** An input stream that knows how far it has read, with Avro's zig-zag varints. */
    private static final class Counting extends InputStream {
        private final InputStream in;
        long position;

        Counting(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            position++;
            return b;
        }

        long varint() throws IOException {
            long value = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                long b = read();
                value |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return (value >>> 1) ^ -(value & 1);
                }
            }
            throw new IOException("malformed varint at byte " + position);
        }

        @Override
        public long skip(long n) throws IOException {
            long left = n;
            while (left > 0) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    read();
                    skipped = 1;
                } else {
                    position += skipped;
                }
                left -= skipped;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
