package dev.anomaly.detector.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DetectorConfigTest {
    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("detector.input.topics", "telemetry, more");
        m.put("bootstrap.servers", "broker:9092");
        m.put("schema.registry.url", "http://registry:8081");
        m.put("detector.models.allow.unsigned", "true");
        return m;
    }

    @Test
    void shouldRefuseToStartWhenNoModelCouldEverServe() {
        Map<String, String> m = minimal();
        m.remove("detector.models.allow.unsigned");

        assertThatThrownBy(() -> DetectorConfig.fromMap(m)).hasMessageStartingWith("Missing 'detector.models.trusted.keys'");
    }

    @Test
    void shouldReadTheTrustedKeysAndNameABadOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        String id = dev.anomaly.schemas.release.SigningKey.generate(dir, "publisher");
        Map<String, String> m = minimal();
        m.remove("detector.models.allow.unsigned");
        m.put("detector.models.trusted.keys", dir.toString());

        DetectorConfig c = DetectorConfig.fromMap(m);
        assertThat(c.trustedKeys().keyIds()).containsExactly(id);
        assertThat(c.trustedKeys().allowUnsigned()).isFalse();

        m.put("detector.models.trusted.keys", dir.resolve("publisher.key").toString());
        assertThatThrownBy(() -> DetectorConfig.fromMap(m)).hasMessageStartingWith("Invalid 'detector.models.trusted.keys': ")
                .hasMessageContaining("publisher.key is not a PEM file with a PUBLIC KEY");
    }

    @Test
    void shouldApplyDefaultsAndPassKafkaSettingsThrough() {
        Map<String, String> m = minimal();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", "PLAIN");
        DetectorConfig c = DetectorConfig.fromMap(m);
        assertThat(c.inputTopics()).containsExactly("telemetry", "more");
        assertThat(c.alertTopic()).isEqualTo("anomaly-alerts");
        assertThat(c.batchSize()).isEqualTo(512);
        assertThat(c.exactlyOnce()).isTrue();
        assertThat(c.kafka()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("application.id", "anomaly-detector").doesNotContainKey("detector.batch.size");
        assertThat(c.scoring().device()).isEqualTo("cpu");
        assertThat(c.scoringThreads()).isEqualTo(1);
    }

    @Test
    void shouldScoreOnOneThreadPerStreamThreadUnlessTold() {
        Map<String, String> m = minimal();
        m.put("num.stream.threads", "3");
        assertThat(DetectorConfig.fromMap(m).scoringThreads()).isEqualTo(3);
        m.put("detector.scoring.threads", "0");
        assertThat(DetectorConfig.fromMap(m).scoringThreads()).isZero();
        m.remove("detector.scoring.threads");
        m.put("num.stream.threads", "many");
        assertThatThrownBy(() -> DetectorConfig.fromMap(m)).hasMessageContaining("'num.stream.threads'");
    }

    @Test
    void shouldLowerStreamsLatencyDefaultsUnlessTheUserSetThem() {
        DetectorConfig defaults = DetectorConfig.fromMap(minimal());
        assertThat(defaults.kafka()).containsEntry("producer.linger.ms", "5").containsEntry("poll.ms", "5")
                .containsEntry("consumer.receive.buffer.bytes", "-1");

        Map<String, String> m = minimal();
        m.put("linger.ms", "50");
        m.put("detector.batch.linger.ms", "500");
        m.put("receive.buffer.bytes", "65536");
        DetectorConfig own = DetectorConfig.fromMap(m);
        assertThat(own.kafka()).containsEntry("linger.ms", "50").doesNotContainKey("producer.linger.ms").containsEntry("poll.ms", "100")
                .containsEntry("receive.buffer.bytes", "65536").doesNotContainKey("consumer.receive.buffer.bytes");

        Map<String, String> main = minimal();
        main.put("main.consumer.receive.buffer.bytes", "131072");
        assertThat(DetectorConfig.fromMap(main).kafka()).containsEntry("main.consumer.receive.buffer.bytes", "131072")
                .doesNotContainKey("consumer.receive.buffer.bytes");
    }

    @Test
    void shouldLetEnvironmentVariablesOverrideTheFile() {
        Map<String, String> merged = DetectorConfig.withEnvironment(minimal(), Map.of(
                "ANOMALY_DETECTOR_BATCH_SIZE", "64", "KAFKA_PROCESSING_GUARANTEE", "at_least_once", "PATH", "/bin"));
        DetectorConfig c = DetectorConfig.fromMap(merged);
        assertThat(c.batchSize()).isEqualTo(64);
        assertThat(c.exactlyOnce()).isFalse();
    }

    @Test
    void shouldNameTheBadKey() {
        Map<String, String> m = minimal();
        m.put("detector.batch.size", "lots");
        assertThatThrownBy(() -> DetectorConfig.fromMap(m)).hasMessageContaining("'detector.batch.size'");
        Map<String, String> typo = minimal();
        typo.put("detector.bach.size", "5");
        assertThatThrownBy(() -> DetectorConfig.fromMap(typo)).hasMessageContaining("detector.bach.size");
        Map<String, String> noInput = minimal();
        noInput.remove("detector.input.topics");
        assertThatThrownBy(() -> DetectorConfig.fromMap(noInput)).hasMessageContaining("'detector.input.topics'");
        Map<String, String> noRegistry = minimal();
        noRegistry.remove("schema.registry.url");
        assertThatThrownBy(() -> DetectorConfig.fromMap(noRegistry)).hasMessageContaining("'schema.registry.url'");
        Map<String, String> negativeThreads = minimal();
        negativeThreads.put("detector.scoring.threads", "-1");
        assertThatThrownBy(() -> DetectorConfig.fromMap(negativeThreads)).hasMessageContaining("'detector.scoring.threads'");
        Map<String, String> badDevice = minimal();
        badDevice.put("detector.device", "tpu");
        assertThatThrownBy(() -> DetectorConfig.fromMap(badDevice)).hasMessageContaining("'detector.device'");
        Map<String, String> guarantee = minimal();
        guarantee.put("processing.guarantee", "exactly_once");
        assertThatThrownBy(() -> DetectorConfig.fromMap(guarantee)).hasMessageContaining("'processing.guarantee'");
        Map<String, String> loop = minimal();
        loop.put("detector.alert.topic", "telemetry");
        assertThatThrownBy(() -> DetectorConfig.fromMap(loop)).hasMessageContaining("also an output topic");
        Map<String, String> noModel = minimal();
        noModel.put("detector.model.path", "/nonexistent/model.onnx");
        assertThatThrownBy(() -> DetectorConfig.fromMap(noModel)).hasMessageContaining("'detector.model.path'");
    }
}
