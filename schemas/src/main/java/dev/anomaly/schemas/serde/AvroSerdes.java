package dev.anomaly.schemas.serde;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serde;

import java.util.Map;

/**
 * Creates the input serde by class name, so that a deployment can use Confluent's
 * {@code io.confluent.kafka.streams.serdes.avro.GenericAvroSerde} (when it is on the classpath) instead of ours:
 * both take the same configuration keys and speak the same wire format.
 */
public final class AvroSerdes {
    public static final String DEFAULT_GENERIC_SERDE = GenericAvroSerde.class.getName();

    private AvroSerdes() {
    }

    @SuppressWarnings("unchecked")
    public static Serde<GenericRecord> genericSerde(String className, Map<String, ?> config, boolean isKey) {
        Object instance;
        try {
            instance = Class.forName(className).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("Serde class " + className + " is not on the classpath", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("Serde class " + className + " cannot be instantiated: " + e, e);
        }
        if (!(instance instanceof Serde<?> serde)) {
            throw new IllegalArgumentException("Class " + className + " is not a " + Serde.class.getName());
        }
        serde.configure(config, isKey);
        return (Serde<GenericRecord>) serde;
    }
}
