package dev.anomaly.schemas.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry held in memory, addressed as {@code mock://scope} (as Confluent's serde does), for
 * {@code TopologyTestDriver} tests that have no registry to talk to. Compatibility supports NONE and BACKWARD.
 * Never used when a real URL is configured.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {
    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<String, List<Integer>> versions = new HashMap<>();
    private final Map<String, String> compatibility = new HashMap<>();
    private int nextId = 1;

    /** The shared registry of a {@code mock://} scope. */
    public static InMemorySchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
    }

    /** Forgets a scope (tests call this in their tear-down). */
    public static void drop(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Integer> ids = versions.computeIfAbsent(subject, s -> new ArrayList<>());
        for (int id : ids) {
            if (byId.get(id).equals(schema)) {
                return id;
            }
        }
        if (!isCompatible(subject, schema)) {
            throw new IncompatibleSchemaException("Schema is incompatible with subject '" + subject + "'");
        }
        int id = byId.entrySet().stream().filter(e -> e.getValue().equals(schema)).map(Map.Entry::getKey)
                .findFirst().orElseGet(() -> nextId++);
        byId.put(id, schema);
        ids.add(id);
        return id;
    }

    @Override
    public synchronized int idOf(String subject, Schema schema) {
        return versions.getOrDefault(subject, List.of()).stream().filter(id -> byId.get(id).equals(schema))
                .findFirst().orElseThrow(() -> new SchemaNotFoundException("Schema not found in subject '" + subject + "'"));
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException("No schema with id " + id);
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema latest(String subject) {
        List<Integer> ids = versions.get(subject);
        if (ids == null || ids.isEmpty()) {
            throw new SchemaNotFoundException("No subject '" + subject + "'");
        }
        int id = ids.get(ids.size() - 1);
        return new RegisteredSchema(subject, id, ids.size(), byId.get(id));
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        List<Integer> ids = versions.get(subject);
        if (ids == null || ids.isEmpty() || !"BACKWARD".equals(compatibility.getOrDefault(subject, "BACKWARD"))) {
            return true;
        }
        Schema previous = byId.get(ids.get(ids.size() - 1));
        return SchemaCompatibility.checkReaderWriterCompatibility(schema, previous).getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    @Override
    public synchronized void setCompatibility(String subject, String level) {
        compatibility.put(subject, level);
    }
}
