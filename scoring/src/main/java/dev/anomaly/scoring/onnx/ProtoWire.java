package dev.anomaly.scoring.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The protobuf wire format, as far as reading and rewriting ONNX models needs it (no protobuf library in the detector). */
final class ProtoWire {
    static final int LENGTH_DELIMITED = 2;

    private ProtoWire() {
    }

    /** One field of a message: its bytes are {@code [start, end)}, its value (length-delimited) {@code [valueStart, valueEnd)}. */
    record Field(int number, int wireType, int start, int end, int valueStart, int valueEnd) {
        boolean isBytes(int field) {
            return number == field && wireType == LENGTH_DELIMITED;
        }
    }

    static List<Field> fields(byte[] b, int from, int to) {
        List<Field> out = new ArrayList<>();
        int[] pos = {from};
        while (pos[0] < to) {
            int start = pos[0];
            long key = readVarint(b, pos, to);
            int wireType = (int) (key & 7);
            int valueStart;
            switch (wireType) {
                case 0 -> {
                    readVarint(b, pos, to);
                    valueStart = start;
                }
                case 1 -> {
                    valueStart = pos[0];
                    pos[0] += 8;
                }
                case LENGTH_DELIMITED -> {
                    long length = readVarint(b, pos, to);
                    valueStart = pos[0];
                    if (length < 0 || length > to - valueStart) {
                        throw new IllegalArgumentException("truncated field at byte " + start);
                    }
                    pos[0] += (int) length;
                }
                case 5 -> {
                    valueStart = pos[0];
                    pos[0] += 4;
                }
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " at byte " + start);
            }
            if (pos[0] > to) {
                throw new IllegalArgumentException("truncated field at byte " + start);
            }
            out.add(new Field((int) (key >>> 3), wireType, start, pos[0], valueStart, pos[0]));
        }
        return out;
    }

    static long readVarint(byte[] b, int[] pos, int to) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= to) {
                throw new IllegalArgumentException("truncated varint");
            }
            byte x = b[pos[0]++];
            value |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("malformed varint");
    }

    static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    static String string(byte[] b, Field f) {
        return new String(b, f.valueStart(), f.valueEnd() - f.valueStart(), StandardCharsets.UTF_8);
    }

    /** The string field {@code nameField} of the message in {@code f} ("" if absent). */
    static String name(byte[] b, Field f, int nameField) {
        for (Field g : fields(b, f.valueStart(), f.valueEnd())) {
            if (g.isBytes(nameField)) {
                return string(b, g);
            }
        }
        return "";
    }
}
