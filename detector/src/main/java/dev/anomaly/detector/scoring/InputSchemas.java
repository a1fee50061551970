package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.registry.SchemaNotFoundException;
import dev.anomaly.schemas.registry.SchemaRegistry;
import dev.anomaly.schemas.registry.SchemaRegistryException;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The latest value schema of the input topics, or why they cannot be known yet: no subject registered at all, or a
 * registry that cannot answer. A model's fit to the input can only be checked once they are. An input topic whose
 * subject is not registered yet (nobody has produced to it) does not hold up the check when another one is: its
 * records, once they come, are checked one by one like any record.
 *
 * @param schemas the latest schema of each registered {@code <topic>-value} subject of the input topics
 * @param missing why the check must wait, if it must
 */
public record InputSchemas(List<Schema> schemas, Optional<String> missing) {

    public static InputSchemas lookup(SchemaRegistry registry, List<String> inputTopics) {
        List<Schema> schemas = new ArrayList<>();
        List<String> unregistered = new ArrayList<>();
        for (String topic : inputTopics) {
            String subject = topic + "-value";
            try {
                schemas.add(registry.latest(subject).schema());
            } catch (SchemaNotFoundException e) {
                unregistered.add(subject);
            } catch (SchemaRegistryException e) {
                return new InputSchemas(List.of(), Optional.of("schema registry cannot answer: " + e.getMessage()));
            } catch (RuntimeException e) {
                return new InputSchemas(List.of(), Optional.of("cannot read the schema of '" + subject + "': " + e.getMessage()));
            }
        }
        if (schemas.isEmpty()) {
            return new InputSchemas(List.of(), Optional.of("no schema registered under " + (unregistered.size() == 1
                    ? "'" + unregistered.get(0) + "'" : "any of " + unregistered) + " yet"));
        }
        return new InputSchemas(List.copyOf(schemas), Optional.empty());
    }

    public static InputSchemas known(Schema schema) {
        return new InputSchemas(List.of(schema), Optional.empty());
    }
}
