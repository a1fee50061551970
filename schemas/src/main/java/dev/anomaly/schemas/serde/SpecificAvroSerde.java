package dev.anomaly.schemas.serde;

import dev.anomaly.schemas.registry.SchemaRegistries;
import dev.anomaly.schemas.registry.SchemaRegistry;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/** Serde for a generated Avro class (Alert, DriftEvent, ModelRelease, ...) in the Confluent wire format. */
public class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;
    private AvroSerializer<T> serializer;
    private AvroDeserializer<T> deserializer;

    public SpecificAvroSerde(Class<T> type) {
        this.type = type;
    }

    public SpecificAvroSerde(Class<T> type, SchemaRegistry registry, SerdeConfig config, boolean isKey) {
        this.type = type;
        init(registry, config, isKey);
    }

    private void init(SchemaRegistry registry, SerdeConfig config, boolean isKey) {
        SpecificData model = SpecificData.getForClass(type);
        this.serializer = new AvroSerializer<>(registry, config, isKey);
        this.deserializer = new AvroDeserializer<>(registry, model.getSchema(type), model);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        init(SchemaRegistries.fromConfig(configs), SerdeConfig.fromMap(configs, isKey), isKey);
    }

    @Override
    public Serializer<T> serializer() {
        requireConfigured();
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        requireConfigured();
        return deserializer;
    }

    private void requireConfigured() {
        if (serializer == null) {
            throw new IllegalStateException("SpecificAvroSerde<" + type.getSimpleName() + "> used before configure()");
        }
    }
}
