package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.SchemaRegistries;
import dev.anomaly.schemas.registry.SchemaRegistry;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes Avro records (generic or generated) in the Confluent wire format, registering or looking up the record's
 * schema under the TopicNameStrategy subject. Thread-safe.
 */
public class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private SchemaRegistry registry;
    private SerdeConfig config;
    private boolean isKey;
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private final Map<String, Integer> latestIds = new ConcurrentHashMap<>();

    /** For Kafka's reflective instantiation; {@link #configure} must follow. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistry registry, SerdeConfig config, boolean isKey) {
        this.registry = registry;
        this.config = config;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.registry = SchemaRegistries.fromConfig(configs);
        this.config = SerdeConfig.fromMap(configs, isKey);
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (registry == null) {
            throw new IllegalStateException("AvroSerializer used before configure()");
        }
        Schema schema = data.getSchema();
        String subject = SerdeConfig.subject(topic, isKey);
        int id;
        try {
            id = schemaId(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot serialize record of " + schema.getFullName() + " for topic '" + topic
                    + "': " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(WireFormat.MAGIC_BYTE);
            out.write(id >>> 24);
            out.write(id >>> 16);
            out.write(id >>> 8);
            out.write(id);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(schema, AvroSerializer::writerFor).write(data, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot serialize record of " + schema.getFullName() + " for topic '" + topic
                    + "' with schema id " + id + ": " + e.getMessage(), e);
        }
    }

    private int schemaId(String subject, Schema schema) {
        if (config.autoRegister()) {
            return registry.register(subject, schema);
        }
        if (config.useLatestVersion()) {
            return latestIds.computeIfAbsent(subject, s -> registry.latest(s).id());
        }
        return registry.idOf(subject, schema);
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> writerFor(Schema schema) {
        SpecificData specific = SpecificData.getForSchema(schema);
        if (schema.getType() == Schema.Type.RECORD && SpecificRecord.class.isAssignableFrom(classOrObject(specific, schema))) {
            return new SpecificDatumWriter<>(schema, specific);
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }

    private static Class<?> classOrObject(SpecificData data, Schema schema) {
        Class<?> c = data.getClass(schema);
        return c == null ? Object.class : c;
    }

    @Override
    public void close() {
        // The registry client may be shared (mock scopes); it holds no resources needing release.
    }
}
