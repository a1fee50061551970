package dev.anomaly.schemas.registry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryClientConfigTest {
    @Test
    void shouldReadConfluentStyleKeys() {
        RegistryClientConfig c = RegistryClientConfig.fromMap(Map.of(
                "schema.registry.url", "http://a:8081/, http://b:8081",
                "basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "alice:secret",
                "schema.registry.request.timeout.ms", "2500",
                "schema.registry.retries", "0"));
        assertThat(c.urls()).containsExactly("http://a:8081", "http://b:8081");
        assertThat(c.userInfo()).contains("alice:secret");
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.retries()).isZero();
        assertThat(c.tls()).isEmpty();
    }

    @Test
    void shouldNameTheBadKey() {
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of())).hasMessageContaining("'schema.registry.url'");
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of("schema.registry.url", "localhost:8081")))
                .hasMessageContaining("'schema.registry.url'");
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of("schema.registry.url", "http://x", "schema.registry.retries", "many")))
                .hasMessageContaining("'schema.registry.retries'");
        assertThatThrownBy(() -> RegistryClientConfig.fromMap(Map.of("schema.registry.url", "http://x", "basic.auth.user.info", "nocolon")))
                .hasMessageContaining("'basic.auth.user.info'");
        RegistryClientConfig missingTruststore = RegistryClientConfig.fromMap(Map.of("schema.registry.url", "https://x",
                "schema.registry.ssl.truststore.location", "/nonexistent/trust.p12"));
        assertThatThrownBy(() -> new RestSchemaRegistry(missingTruststore)).hasMessageContaining("schema.registry.ssl.");
    }
}
