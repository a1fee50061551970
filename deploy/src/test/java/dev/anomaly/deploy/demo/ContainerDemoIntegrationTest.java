package dev.anomaly.deploy.demo;

import dev.anomaly.deploy.stack.KafkaEnvironment;
import dev.anomaly.schemas.avro.ModelKind;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's end-to-end path against container images (apache/kafka and Apicurio Registry) instead of the embedded
 * stack, for machines with Docker. Skipped where no Docker engine runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerDemoIntegrationTest {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>("apicurio/apicurio-registry-mem:2.6.13.Final")
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/health/ready").forStatusCode(200));

    @TempDir
    static Path state;

    record Containers() implements KafkaEnvironment {
        @Override
        public String bootstrapServers() {
            return KAFKA.getBootstrapServers();
        }

        @Override
        public String schemaRegistryUrl() {
            return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080) + "/apis/ccompat/v7";
        }

        @Override
        public Map<String, Object> clientConfig() {
            return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(), "schema.registry.url", schemaRegistryUrl());
        }

        @Override
        public void createTopic(String name, int partitions) {
            create(new NewTopic(name, partitions, (short) 1));
        }

        @Override
        public void createLogAppendTimeTopic(String name, int partitions) {
            create(new NewTopic(name, partitions, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")));
        }

        @Override
        public void createCompactedTopic(String name) {
            create(new NewTopic(name, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
        }

        private void create(NewTopic topic) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
                admin.createTopics(List.of(topic)).all().get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Path dataDir() {
            return state;
        }
    }

    @Test
    void shouldRunTheDemoAgainstContainers(@TempDir Path out) throws Exception {
        DemoSummary s = new DemoRun(new Containers(), new DemoRun.Options(DemoSource.telemetry(4000, 6000, 0.01, -1), ModelKind.AE,
                5000, 6, 3, out, Optional.of(40), -1), new PrintStream(System.out, true)).run();
        assertThat(s.records()).isEqualTo(6000);
        assertThat(s.deadLettered()).isEqualTo(6);
        assertThat(s.recall()).isGreaterThanOrEqualTo(0.8);
        assertThat(s.precision()).isGreaterThan(0.4);
    }
}
