package dev.anomaly.deploy;

import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.trainer.retrain.RetrainConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every setting the services accept is explained in the guides, so that the docs are where an operator looks. */
class DocsMatchCodeTest {
    private static final Path DOCS = Path.of("..", "docs");

    private static String guides(String... names) throws IOException {
        StringBuilder all = new StringBuilder();
        for (String name : names) {
            all.append(Files.readString(DOCS.resolve(name)));
        }
        return all.toString();
    }

    @Test
    void shouldDocumentEveryDetectorSetting() throws IOException {
        String docs = guides("detector.md", "drift.md");
        assertThat(DetectorConfig.DEFINITION.names()).hasSizeGreaterThan(30)
                .allSatisfy(key -> assertThat(docs).as("docs/detector.md or drift.md names " + key).contains(key));
    }

    @Test
    void shouldDocumentEveryRetrainingSetting() throws IOException {
        String docs = guides("drift.md");
        assertThat(RetrainConfig.DEFINITION.configKeys().values()).extracting(k -> k.name)
                .filteredOn(k -> k.startsWith("retrain."))
                .allSatisfy(key -> assertThat(docs).as("docs/drift.md names " + key).contains(key));
    }

    @Test
    void shouldGiveEveryDetectorSettingADoc() {
        assertThat(DetectorConfig.DEFINITION.configKeys().values()).allSatisfy((ConfigDef.ConfigKey k) ->
                assertThat(k.documentation).as(k.name).isNotBlank().endsWith("."));
    }
}
