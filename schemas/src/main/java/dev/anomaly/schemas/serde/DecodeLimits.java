package dev.anomaly.schemas.serde;

import java.util.Map;

/**
 * Caps on what one Avro datum may make the reader allocate, whatever its bytes claim (see {@link BoundedDecoder}).
 * Beyond them a record is a {@code BAD_PAYLOAD}; writer schemas that declare a fixed type above {@link #maxLength()}
 * are {@code UNSUPPORTED_SCHEMA}.
 *
 * @param maxLength          longest string, bytes or fixed value, in bytes (and never more than the bytes left)
 * @param maxCollectionItems most items in one array or map block
 * @param zeroSizeItems      how many more collection items than payload bytes a datum may announce: only items of
 *                           zero-size types (null, empty records) can take no bytes
 */
public record DecodeLimits(int maxLength, int maxCollectionItems, int zeroSizeItems) {
    public static final String MAX_LENGTH = "avro.decode.max.length.bytes";
    public static final String MAX_COLLECTION_ITEMS = "avro.decode.max.collection.items";
    public static final String ZERO_SIZE_ITEMS = "avro.decode.zero.size.items";

    public static final DecodeLimits DEFAULTS = new DecodeLimits(64 << 20, 10_000_000, 10_000);

    public DecodeLimits {
        if (maxLength < 0 || maxCollectionItems < 0 || zeroSizeItems < 0) {
            throw new IllegalArgumentException("decode limits must be >= 0");
        }
    }

    /** Reads the three keys from serde configuration; every error names the key. */
    public static DecodeLimits fromMap(Map<String, ?> config) {
        return new DecodeLimits(intOf(config, MAX_LENGTH, DEFAULTS.maxLength), intOf(config, MAX_COLLECTION_ITEMS, DEFAULTS.maxCollectionItems),
                intOf(config, ZERO_SIZE_ITEMS, DEFAULTS.zeroSizeItems));
    }

    private static int intOf(Map<String, ?> config, String key, int fallback) {
        Object v = config.get(key);
        if (v == null || v.toString().isBlank()) {
            return fallback;
        }
        try {
            int i = Integer.parseInt(v.toString().trim());
            if (i < 0) {
                throw new IllegalArgumentException("Invalid '" + key + "': must be >= 0, got " + v);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid '" + key + "': not a whole number: " + v, e);
        }
    }
}
