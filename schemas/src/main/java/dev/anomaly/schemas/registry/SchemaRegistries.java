package dev.anomaly.schemas.registry;

import java.util.Map;

/** Creates the registry client that client configuration asks for. */
public final class SchemaRegistries {
    private SchemaRegistries() {
    }

    /** {@code mock://scope} gives the in-memory registry of that scope; anything else the REST client. */
    public static SchemaRegistry fromConfig(Map<String, ?> config) {
        RegistryClientConfig parsed = RegistryClientConfig.fromMap(config);
        String first = parsed.urls().get(0);
        if (first.startsWith("mock://")) {
            return InMemorySchemaRegistry.scope(first.substring("mock://".length()));
        }
        return new RestSchemaRegistry(parsed);
    }
}
