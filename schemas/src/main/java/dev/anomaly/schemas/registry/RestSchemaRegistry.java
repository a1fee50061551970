package dev.anomaly.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client of the Confluent Schema Registry REST API (also served by Apicurio Registry under {@code /apis/ccompat/v7}).
 * Ids and id→schema lookups are cached forever (they are immutable); "latest" is never cached.
 * Connection errors, 5xx, 408 and 429 answers are retried with exponential back-off, failing over across configured URLs.
 *
 * <p>An id the registry says it does not have is remembered for {@link RegistryClientConfig#unknownIdCacheTime()}
 * (bounded), so a stream of records with a bad id costs one lookup per id, not one per record. Such a 404 is only
 * believed while the registry still serves a schema it served before: a registry that restarted empty, or a replica
 * that lost its data, answers 404 for everything, and that is an outage, not a verdict on the record (one more lookup
 * per 404 checks it).
 */
public final class RestSchemaRegistry implements SchemaRegistry {
    private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistry.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    /** Ids answered 404, with the time (nanoTime) until which that answer stands; least recently asked dropped first. */
    private final Map<Integer, Long> unknownIds;
    /** An id this client has fetched from the registry, to check that a 404 comes from a registry that has its data. */
    private volatile int knownId = -1;

    public RestSchemaRegistry(RegistryClientConfig config) {
        this.config = config;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1);
        config.tls().ifPresent(tls -> builder.sslContext(sslContext(tls)));
        this.http = builder.build();
        this.authorization = config.userInfo().map(info ->
                "Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
        int capacity = config.unknownIdCacheSize();
        this.unknownIds = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
                return size() > capacity;
            }
        });
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer;
        try {
            answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                    "register schema under subject '" + subject + "'");
        } catch (IncompatibleSchemaException e) {
            // Two clients registering the first schema of a subject at once: the loser gets a conflict (Apicurio
            // answers 409 "already exists"). If the schema is there now, that is success; otherwise it is incompatible.
            try {
                return idOf(subject, schema);
            } catch (SchemaNotFoundException notThere) {
                throw e;
            }
        }
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new SchemaRegistryException("Registry answered without an id when registering under subject '" + subject + "': " + answer, 200);
        }
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int idOf(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "look up schema in subject '" + subject + "'");
        int id = answer.path("id").asInt();
        ids.put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * @throws SchemaNotFoundException    the registry does not have the id (possibly remembered from an earlier answer)
     * @throws UnsupportedSchemaException the id is not an Avro schema, or the registry refused it with a 4xx about the id
     * @throws SchemaRegistryException    the registry cannot answer now ({@link SchemaRegistryException#unavailable()})
     */
    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        Long until = unknownIds.get(id);
        if (until != null) {
            if (until - System.nanoTime() > 0) {
                throw new SchemaNotFoundException("schema id " + id + " is not in the registry (answer remembered for "
                        + config.unknownIdCacheTime().toMillis() + " ms)");
            }
            unknownIds.remove(id);
        }
        JsonNode answer;
        try {
            answer = call("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
        } catch (SchemaNotFoundException e) {
            confirmRegistryHasItsData(id);
            if (config.unknownIdCacheTime().toNanos() > 0) {
                unknownIds.put(id, System.nanoTime() + config.unknownIdCacheTime().toNanos());
            }
            throw e;
        } catch (SchemaRegistryException e) {
            if (!e.unavailable() && e.status() / 100 == 4) {
                throw new UnsupportedSchemaException(e.getMessage(), e.status());
            }
            throw e;
        }
        String type = answer.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new UnsupportedSchemaException("schema id " + id + " is a " + type + " schema, not Avro", 200);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(answer.path("schema").asText());
        } catch (RuntimeException e) {
            throw new UnsupportedSchemaException("schema id " + id + " is not a valid Avro schema: " + e.getMessage(), 200);
        }
        schemasById.putIfAbsent(id, schema);
        knownId = id;
        return schema;
    }

    /**
     * Believes a 404 for {@code missing} only if the registry still serves an id it served before; otherwise the
     * registry has lost its data (restarted with in-memory storage, a replica behind) or is not the one we talked to,
     * and that is an outage. Checked at every 404: a registry can lose its data between two lookups. The unknown-id
     * cache keeps this to two lookups per unknown id.
     */
    private void confirmRegistryHasItsData(int missing) {
        int known = knownId;
        if (known < 0) {
            return;
        }
        try {
            call("GET", "/schemas/ids/" + known, null, "fetch schema id " + known);
        } catch (SchemaNotFoundException e) {
            throw new SchemaRegistryException("Registry answers 404 for schema id " + missing + " but also for id " + known
                    + ", which it served before: it has lost its schemas or is not the registry it was; treating it as unavailable", -1);
        }
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode answer = call("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "fetch latest schema of subject '" + subject + "'");
        int id = answer.path("id").asInt();
        Schema schema = parse(answer.path("schema").asText(), "subject '" + subject + "'");
        schemasById.putIfAbsent(id, schema);
        knownId = id;
        return new RegisteredSchema(subject, id, answer.path("version").asInt(), schema);
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode answer = call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                    schemaBody(schema), "check compatibility with subject '" + subject + "'");
            return answer.path("is_compatible").asBoolean(false);
        } catch (SchemaNotFoundException e) {
            return true; // nothing registered yet: anything is compatible
        }
    }

    @Override
    public void setCompatibility(String subject, String level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level);
        call("PUT", "/config/" + encode(subject), body.toString(), "set compatibility of subject '" + subject + "'");
    }

    private static String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw new UnsupportedSchemaException("Registry returned an unparseable Avro schema for " + what + ": " + e.getMessage(), 200);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** One logical call: tries each URL, retrying connection errors and 5xx answers with back-off. */
    private JsonNode call(String method, String path, String body, String what) {
        int attempts = config.retries() + 1;
        long backoff = config.retryBackoff().toMillis();
        SchemaRegistryException last = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            String base = config.urls().get(attempt % config.urls().size());
            try {
                return once(base, method, path, body, what);
            } catch (RetriableException e) {
                last = e.failure;
                log.warn("Schema registry call failed (attempt {}/{}): {}", attempt + 1, attempts, e.failure.getMessage());
                if (attempt + 1 < attempts) {
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, 10_000);
                }
            }
        }
        throw last;
    }

    private JsonNode once(String base, String method, String path, String body, String what) throws RetriableException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json");
        authorization.ifPresent(a -> request.header("Authorization", a));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RetriableException(new SchemaRegistryException(
                    "Cannot " + what + " at " + base + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), -1, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while trying to " + what + " at " + base, -1, e);
        }
        int status = response.statusCode();
        JsonNode json = readJson(response.body());
        if (status / 100 == 2) {
            return json;
        }
        String message = json.path("message").asText(response.body());
        int code = json.path("error_code").asInt(status);
        String text = "Cannot " + what + " at " + base + ": HTTP " + status + " (error " + code + ") " + message;
        if (status >= 500 || status == 408 || status == 429) {
            throw new RetriableException(new SchemaRegistryException(text, status));
        }
        if (status == 404) {
            throw new SchemaNotFoundException(text);
        }
        if (status == 409 || code == 42201) {
            throw new IncompatibleSchemaException(text);
        }
        throw new SchemaRegistryException(text, status);
    }

    private static JsonNode readJson(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", body);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted during retry back-off", -1, e);
        }
    }

    private static SSLContext sslContext(RegistryClientConfig.TlsSettings tls) {
        try {
            TrustManagerFactory tmf = null;
            if (tls.truststoreLocation().isPresent()) {
                KeyStore trust = load(tls.truststoreLocation().get(), tls.truststoreType(), tls.truststorePassword());
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (tls.keystoreLocation().isPresent()) {
                KeyStore keys = load(tls.keystoreLocation().get(), tls.keystoreType(), tls.keystorePassword());
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, tls.keyPassword().or(tls::keystorePassword).map(String::toCharArray).orElse(null));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("Invalid " + RegistryClientConfig.SSL_PREFIX + "* settings: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String location, String type, Optional<String> password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password.map(String::toCharArray).orElse(null));
        }
        return store;
    }

    /** Marks a failure worth another attempt. */
    private static final class RetriableException extends Exception {
        final SchemaRegistryException failure;

        RetriableException(SchemaRegistryException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }
}
