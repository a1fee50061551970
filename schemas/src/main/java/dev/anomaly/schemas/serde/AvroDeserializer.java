package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.SchemaNotFoundException;
import dev.anomaly.schemas.registry.SchemaRegistries;
import dev.anomaly.schemas.registry.SchemaRegistry;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import dev.anomaly.schemas.registry.UnsupportedSchemaException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.EOFException;
import java.io.IOException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Confluent wire-format Avro. The writer schema comes from the registry by id; when a reader schema is set
 * (always, for generated classes) the datum is resolved from writer to reader schema, so records written with an
 * older or newer compatible schema read fine. Every failure is a {@link WireFormatException} with a reason code,
 * whatever the bytes: decoding is bounded ({@link DecodeLimits}, {@link BoundedDecoder}) so that no record can make it
 * allocate much more than its own size, and nesting too deep for the stack is a {@code BAD_PAYLOAD} too. Ids whose
 * schema cannot be read (not Avro, incompatible with the reader schema) are remembered, so a stream of them costs one
 * registry lookup; ids the registry does not have are remembered by the registry client for a while.
 */
public class AvroDeserializer<T> implements Deserializer<T> {
    /** Optional reader schema (Avro JSON) for generic records. */
    public static final String READER_SCHEMA = "avro.reader.schema";

    private SchemaRegistry registry;
    private Schema readerSchema;
    private GenericData model;
    private DecodeLimits limits = DecodeLimits.DEFAULTS;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    /** Ids whose schema can never be read by this deserializer (immutable answers), with why; bounded. */
    private final Map<Integer, WireFormatException> unreadable = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, WireFormatException> eldest) {
            return size() > 10_000;
        }
    });

    /** For Kafka's reflective instantiation (generic records); {@link #configure} must follow. */
    public AvroDeserializer() {
    }

    /**
     * @param readerSchema schema to resolve into, or {@code null} to read each record with its writer schema
     * @param model        {@link GenericData#get()} for generic records, {@link SpecificData} for generated classes
     */
    public AvroDeserializer(SchemaRegistry registry, Schema readerSchema, GenericData model) {
        this.registry = registry;
        this.readerSchema = readerSchema;
        this.model = model;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistries.fromConfig(configs);
        this.limits = DecodeLimits.fromMap(configs);
        Object reader = configs.get(READER_SCHEMA);
        if (reader != null && this.readerSchema == null) {
            try {
                this.readerSchema = new Schema.Parser().parse(reader.toString());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Invalid '" + READER_SCHEMA + "': " + e.getMessage(), e);
            }
        }
        if (this.model == null) {
            this.model = GenericData.get();
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null; // tombstone
        }
        if (registry == null) {
            throw new IllegalStateException("AvroDeserializer used before configure()");
        }
        int id = WireFormat.schemaId(data, topic);
        DatumReader<T> reader = reader(id, topic);
        BoundedDecoder decoder = new BoundedDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, limits);
        T datum;
        try {
            datum = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new WireFormatException(WireFormatException.Reason.TRUNCATED, topic,
                    "Avro payload of schema id " + id + " ends early (" + (data.length - WireFormat.HEADER_SIZE) + " bytes): " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(WireFormatException.Reason.BAD_PAYLOAD, topic,
                    "payload is not valid Avro for schema id " + id + ": " + e, e);
        } catch (StackOverflowError e) {
            throw new WireFormatException(WireFormatException.Reason.BAD_PAYLOAD, topic,
                    "payload of schema id " + id + " nests too deep to read", null);
        }
        if (!decoder.isEnd()) {
            throw new WireFormatException(WireFormatException.Reason.BAD_PAYLOAD, topic,
                    "trailing bytes after the Avro datum of schema id " + id);
        }
        return datum;
    }

    private DatumReader<T> reader(int id, String topic) {
        DatumReader<T> reader = readers.get(id);
        if (reader != null) {
            return reader;
        }
        WireFormatException known = unreadable.get(id);
        if (known != null) {
            throw new WireFormatException(known.reason(), topic, known.detail());
        }
        try {
            reader = readerFor(id, topic);
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.UNSUPPORTED_SCHEMA || e.reason() == WireFormatException.Reason.INCOMPATIBLE_SCHEMA) {
                unreadable.put(id, e);
            }
            throw e;
        }
        DatumReader<T> raced = readers.putIfAbsent(id, reader);
        return raced == null ? reader : raced;
    }

    private DatumReader<T> readerFor(int id, String topic) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, topic,
                    "schema id " + id + " is not in the registry", e);
        } catch (UnsupportedSchemaException e) {
            throw new WireFormatException(WireFormatException.Reason.UNSUPPORTED_SCHEMA, topic, e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            if (!e.unavailable()) {
                throw new WireFormatException(WireFormatException.Reason.UNSUPPORTED_SCHEMA, topic,
                        "registry refused schema id " + id + ": " + e.getMessage(), e);
            }
            throw new WireFormatException(WireFormatException.Reason.REGISTRY_UNAVAILABLE, topic,
                    "cannot fetch schema id " + id + ": " + e.getMessage(), e);
        }
        String tooLarge = oversizedFixed(writer, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (tooLarge != null) {
            throw new WireFormatException(WireFormatException.Reason.UNSUPPORTED_SCHEMA, topic,
                    "schema id " + id + " declares " + tooLarge + ", above the decode limit of " + limits.maxLength() + " bytes ("
                            + DecodeLimits.MAX_LENGTH + ")");
        }
        Schema reader = readerSchema == null ? writer : readerSchema;
        if (readerSchema != null) {
            SchemaCompatibility.SchemaPairCompatibility compat =
                    SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
            if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new WireFormatException(WireFormatException.Reason.INCOMPATIBLE_SCHEMA, topic,
                        "writer schema id " + id + " cannot be read as " + reader.getFullName() + ": " + compat.getDescription());
            }
        }
        try {
            return model instanceof SpecificData specific
                    ? new SpecificDatumReader<>(writer, reader, specific)
                    : new GenericDatumReader<>(writer, reader, model);
        } catch (AvroRuntimeException e) {
            throw new WireFormatException(WireFormatException.Reason.INCOMPATIBLE_SCHEMA, topic, e.getMessage(), e);
        }
    }

    /**
     * The first fixed type of {@code schema} larger than the length limit, if any: the reader allocates a fixed value
     * before reading its bytes, so the schema alone could make every record of it allocate that much.
     */
    private String oversizedFixed(Schema schema, Set<Schema> seen) {
        if (!seen.add(schema)) {
            return null;
        }
        switch (schema.getType()) {
            case FIXED:
                return schema.getFixedSize() > limits.maxLength() ? "fixed " + schema.getFullName() + " of " + schema.getFixedSize() + " bytes" : null;
            case RECORD:
                for (Schema.Field f : schema.getFields()) {
                    String found = oversizedFixed(f.schema(), seen);
                    if (found != null) {
                        return found;
                    }
                }
                return null;
            case UNION:
                for (Schema branch : schema.getTypes()) {
                    String found = oversizedFixed(branch, seen);
                    if (found != null) {
                        return found;
                    }
                }
                return null;
            case ARRAY:
                return oversizedFixed(schema.getElementType(), seen);
            case MAP:
                return oversizedFixed(schema.getValueType(), seen);
            default:
                return null;
        }
    }
}
