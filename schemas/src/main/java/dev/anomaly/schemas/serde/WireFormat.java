package dev.anomaly.schemas.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: one magic byte {@code 0}, the 4-byte big-endian schema id, then the Avro binary
 * encoding of the datum. Every Confluent client reads and writes exactly this.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {
    }

    /** Writes the header for {@code schemaId} into a new array of {@code HEADER_SIZE + payloadSize} bytes. */
    public static ByteBuffer header(int schemaId, int payloadSize) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE + payloadSize);
        buffer.put(MAGIC_BYTE).putInt(schemaId);
        return buffer;
    }

    /**
     * Reads the schema id of a framed message, checking the frame.
     *
     * @throws WireFormatException when the bytes are empty, too short, or do not start with the magic byte
     */
    public static int schemaId(byte[] data, String topic) {
        if (data.length == 0) {
            throw new WireFormatException(WireFormatException.Reason.EMPTY, topic, "record value is empty (0 bytes)");
        }
        if (data[0] != MAGIC_BYTE) {
            throw new WireFormatException(WireFormatException.Reason.BAD_MAGIC_BYTE, topic,
                    String.format("unknown magic byte 0x%02x (expected 0x00; not Confluent wire format)", data[0]));
        }
        if (data.length < HEADER_SIZE) {
            throw new WireFormatException(WireFormatException.Reason.TRUNCATED, topic,
                    "record is " + data.length + " bytes, shorter than the 5-byte wire-format header");
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }
}
