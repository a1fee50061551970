package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.registry.SchemaNotFoundException;
import dev.anomaly.schemas.registry.SchemaRegistry;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The latest value schema of each input topic, or why they are not all known: a subject not registered yet, or a
 * registry that cannot answer. A model's fit to the input can only be checked once they are.
 *
 * @param schemas the latest schema of each input topic's {@code <topic>-value} subject, when all are known
 * @param missing why not, otherwise
 */
public record InputSchemas(List<Schema> schemas, Optional<String> missing) {

    public static InputSchemas lookup(SchemaRegistry registry, List<String> inputTopics) {
        List<Schema> schemas = new ArrayList<>();
        for (String topic : inputTopics) {
            String subject = topic + "-value";
            try {
                schemas.add(registry.latest(subject).schema());
            } catch (SchemaNotFoundException e) {
                return new InputSchemas(List.of(), Optional.of("no schema registered under '" + subject + "' yet"));
            } catch (SchemaRegistryException e) {
                return new InputSchemas(List.of(), Optional.of("schema registry cannot answer: " + e.getMessage()));
            } catch (RuntimeException e) {
                return new InputSchemas(List.of(), Optional.of("cannot read the schema of '" + subject + "': " + e.getMessage()));
            }
        }
        return new InputSchemas(List.copyOf(schemas), Optional.empty());
    }

    public static InputSchemas known(Schema schema) {
        return new InputSchemas(List.of(schema), Optional.empty());
    }
}
