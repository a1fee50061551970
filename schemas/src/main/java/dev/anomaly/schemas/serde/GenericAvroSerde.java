package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.SchemaRegistry;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/** {@code Serde<GenericRecord>} in the Confluent wire format; configure with {@code schema.registry.url}. */
public class GenericAvroSerde implements Serde<GenericRecord> {
    private final AvroSerializer<GenericRecord> serializer;
    private final AvroDeserializer<GenericRecord> deserializer;

    public GenericAvroSerde() {
        this.serializer = new AvroSerializer<>();
        this.deserializer = new AvroDeserializer<>();
    }

    public GenericAvroSerde(SchemaRegistry registry, SerdeConfig config, boolean isKey) {
        this.serializer = new AvroSerializer<>(registry, config, isKey);
        this.deserializer = new AvroDeserializer<>(registry, null, GenericData.get());
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<GenericRecord> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<GenericRecord> deserializer() {
        return deserializer;
    }
}
