package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.SchemaNotFoundException;
import dev.anomaly.schemas.registry.SchemaRegistries;
import dev.anomaly.schemas.registry.SchemaRegistry;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Confluent wire-format Avro. The writer schema comes from the registry by id; when a reader schema is set
 * (always, for generated classes) the datum is resolved from writer to reader schema, so records written with an
 * older or newer compatible schema read fine. Every failure is a {@link WireFormatException} with a reason code.
 */
public class AvroDeserializer<T> implements Deserializer<T> {
    /** Optional reader schema (Avro JSON) for generic records. */
    public static final String READER_SCHEMA = "avro.reader.schema";

    private SchemaRegistry registry;
    private Schema readerSchema;
    private GenericData model;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

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
        DatumReader<T> reader = readers.computeIfAbsent(id, i -> readerFor(i, topic));
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_SIZE,
                data.length - WireFormat.HEADER_SIZE, null);
        T datum;
        try {
            datum = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new WireFormatException(WireFormatException.Reason.TRUNCATED, topic,
                    "Avro payload of schema id " + id + " ends early (" + (data.length - WireFormat.HEADER_SIZE) + " bytes)", e);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(WireFormatException.Reason.BAD_PAYLOAD, topic,
                    "payload is not valid Avro for schema id " + id + ": " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new WireFormatException(WireFormatException.Reason.BAD_PAYLOAD, topic,
                        "trailing bytes after the Avro datum of schema id " + id);
            }
        } catch (IOException e) {
            throw new WireFormatException(WireFormatException.Reason.BAD_PAYLOAD, topic, e.toString(), e);
        }
        return datum;
    }

    private DatumReader<T> readerFor(int id, String topic) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaNotFoundException e) {
            throw new WireFormatException(WireFormatException.Reason.UNKNOWN_SCHEMA_ID, topic,
                    "schema id " + id + " is not in the registry", e);
        } catch (SchemaRegistryException e) {
            throw new WireFormatException(WireFormatException.Reason.REGISTRY_UNAVAILABLE, topic,
                    "cannot fetch schema id " + id + ": " + e.getMessage(), e);
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
}
