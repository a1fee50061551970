package dev.anomaly.schemas.registry;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of the schema-registry client. Keys follow Confluent's client so that existing configuration files work
 * unchanged: {@code schema.registry.url}, {@code basic.auth.user.info}, {@code schema.registry.ssl.*}.
 *
 * @param urls         base URLs (a Confluent-compatible API root); the client fails over in order on connection errors
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout whole-request timeout
 * @param retries      extra attempts after a connection error or a 5xx answer
 * @param retryBackoff first back-off between attempts; doubles each attempt
 * @param userInfo     {@code user:password} for HTTP basic auth, if any
 * @param tls          trust and key stores for HTTPS, if configured
 * @param unknownIdCacheTime how long an id the registry says it does not have is answered from memory
 * @param unknownIdCacheSize how many such ids are remembered (least recently asked forgotten first)
 */
public record RegistryClientConfig(List<String> urls, Duration connectTimeout, Duration requestTimeout, int retries,
                                   Duration retryBackoff, Optional<String> userInfo, Optional<TlsSettings> tls,
                                   Duration unknownIdCacheTime, int unknownIdCacheSize) {

    public static final String URL = "schema.registry.url";
    public static final String CONNECT_TIMEOUT_MS = "schema.registry.connect.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRIES = "schema.registry.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String SSL_PREFIX = "schema.registry.ssl.";
    public static final String UNKNOWN_ID_CACHE_MS = "schema.registry.unknown.id.cache.ms";
    public static final String UNKNOWN_ID_CACHE_SIZE = "schema.registry.unknown.id.cache.size";

    public RegistryClientConfig {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(URL + " must name at least one registry URL");
        }
        urls = List.copyOf(urls);
    }

    public static RegistryClientConfig of(String url) {
        return fromMap(Map.of(URL, url));
    }

    /** Reads the settings from client configuration; every error names the offending key. */
    public static RegistryClientConfig fromMap(Map<String, ?> config) {
        Object rawUrl = config.get(URL);
        if (rawUrl == null || rawUrl.toString().isBlank()) {
            throw new IllegalArgumentException("Missing required configuration '" + URL + "' (for example http://localhost:8081)");
        }
        List<String> urls = Arrays.stream(rawUrl.toString().split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
                .toList();
        for (String u : urls) {
            if (!(u.startsWith("http://") || u.startsWith("https://") || u.startsWith("mock://"))) {
                throw new IllegalArgumentException("Invalid '" + URL + "': " + u + " is not an http(s):// or mock:// URL");
            }
        }
        Optional<String> userInfo = Optional.empty();
        String source = string(config, CREDENTIALS_SOURCE, "USER_INFO");
        String info = string(config, USER_INFO, string(config, "schema.registry." + USER_INFO, null));
        if (info != null && !info.isBlank()) {
            if (!"USER_INFO".equalsIgnoreCase(source)) {
                throw new IllegalArgumentException("Unsupported '" + CREDENTIALS_SOURCE + "': " + source + " (only USER_INFO)");
            }
            if (!info.contains(":")) {
                throw new IllegalArgumentException("Invalid '" + USER_INFO + "': expected user:password");
            }
            userInfo = Optional.of(info);
        }
        return new RegistryClientConfig(urls,
                Duration.ofMillis(positiveLong(config, CONNECT_TIMEOUT_MS, 5_000)),
                Duration.ofMillis(positiveLong(config, REQUEST_TIMEOUT_MS, 10_000)),
                (int) nonNegativeLong(config, RETRIES, 3),
                Duration.ofMillis(nonNegativeLong(config, RETRY_BACKOFF_MS, 200)),
                userInfo,
                TlsSettings.fromMap(config, SSL_PREFIX),
                Duration.ofMillis(nonNegativeLong(config, UNKNOWN_ID_CACHE_MS, 60_000)),
                (int) Math.min(nonNegativeLong(config, UNKNOWN_ID_CACHE_SIZE, 10_000), 1_000_000));
    }

    static String string(Map<String, ?> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null ? fallback : v.toString();
    }

    private static long positiveLong(Map<String, ?> config, String key, long fallback) {
        long v = nonNegativeLong(config, key, fallback);
        if (v == 0) {
            throw new IllegalArgumentException("Invalid '" + key + "': must be > 0");
        }
        return v;
    }

    private static long nonNegativeLong(Map<String, ?> config, String key, long fallback) {
        Object v = config.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(v.toString().trim());
            if (parsed < 0) {
                throw new IllegalArgumentException("Invalid '" + key + "': must be >= 0, got " + v);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid '" + key + "': not a whole number: " + v, e);
        }
    }

    /** Key and trust stores for HTTPS to the registry. */
    public record TlsSettings(Optional<String> truststoreLocation, Optional<String> truststorePassword, String truststoreType,
                              Optional<String> keystoreLocation, Optional<String> keystorePassword, String keystoreType,
                              Optional<String> keyPassword) {

        static Optional<TlsSettings> fromMap(Map<String, ?> config, String prefix) {
            Optional<String> ts = opt(config, prefix + "truststore.location");
            Optional<String> ks = opt(config, prefix + "keystore.location");
            if (ts.isEmpty() && ks.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new TlsSettings(ts, opt(config, prefix + "truststore.password"),
                    string(config, prefix + "truststore.type", "PKCS12"),
                    ks, opt(config, prefix + "keystore.password"),
                    string(config, prefix + "keystore.type", "PKCS12"),
                    opt(config, prefix + "key.password")));
        }

        private static Optional<String> opt(Map<String, ?> config, String key) {
            Object v = config.get(key);
            return v == null || v.toString().isBlank() ? Optional.empty() : Optional.of(v.toString());
        }
    }
}
