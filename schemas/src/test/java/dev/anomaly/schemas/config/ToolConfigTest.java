package dev.anomaly.schemas.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToolConfigTest {
    private final ToolConfig config = new ToolConfig(new ConfigDef()
            .define("svc.topics", Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "Input topics.")
            .define("svc.batch.size", Type.INT, 512, Range.between(1, 65_536), Importance.MEDIUM, "Records per call.")
            .define("svc.enabled", Type.BOOLEAN, true, Importance.LOW, "On or off.")
            .define("svc.path", Type.STRING, "", Importance.LOW, "A file."), "svc.", "ANOMALY_SVC_");

    @Test
    void shouldFillDefaultsParseTypesAndPassOtherKeysThrough() {
        ToolConfig.Values v = config.parse(Map.of("svc.topics", "a, b", "svc.path", " ", "security.protocol", "SSL"));

        assertThat(v.list("svc.topics")).containsExactly("a", "b");
        assertThat(v.integer("svc.batch.size")).isEqualTo(512);
        assertThat(v.bool("svc.enabled")).isTrue();
        assertThat(v.optional("svc.path")).as("blank is unset").isEmpty();
        assertThat(config.passThrough(Map.of("svc.topics", "a", "security.protocol", "SSL"))).containsExactly(Map.entry("security.protocol", "SSL"));
    }

    @Test
    void shouldNameTheKeyInEveryError() {
        assertThatThrownBy(() -> config.parse(Map.of())).hasMessage("Missing required configuration 'svc.topics' (Input topics.)");
        assertThatThrownBy(() -> config.parse(Map.of("svc.topics", "a", "svc.batch.size", "lots")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Invalid 'svc.batch.size': lots (");
        assertThatThrownBy(() -> config.parse(Map.of("svc.topics", "a", "svc.batch.size", "0")))
                .hasMessage("Invalid 'svc.batch.size': 0 (Value must be at least 1)");
        assertThatThrownBy(() -> config.parse(Map.of("svc.topics", "a", "svc.enabled", "yes"))).hasMessageStartingWith("Invalid 'svc.enabled': yes");
        assertThatThrownBy(() -> config.parse(Map.of("svc.topics", "a", "svc.bach.size", "5")))
                .hasMessageStartingWith("Unknown configuration key(s) [svc.bach.size]; known svc.* keys: [");
    }

    @Test
    void shouldLetEnvironmentVariablesOverrideTheFile() {
        Map<String, String> merged = config.withEnvironment(Map.of("svc.batch.size", "8", "bootstrap.servers", "file:9092"),
                Map.of("ANOMALY_SVC_BATCH_SIZE", "64", "KAFKA_BOOTSTRAP_SERVERS", "env:9092", "PATH", "/bin"));

        assertThat(merged).containsEntry("svc.batch.size", "64").containsEntry("bootstrap.servers", "env:9092").doesNotContainKey("path");
    }

    @Test
    void shouldDescribeEveryKeyWithItsDefault() {
        List<String> lines = config.describe();

        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("svc.topics").contains("(required)").endsWith("Input topics.");
        assertThat(lines.get(1)).contains("512");
        assertThat(lines.get(3)).contains("(none)");
    }
}
