package dev.anomaly.deploy.serde;

import dev.anomaly.schemas.registry.RegistryClientConfig;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.util.Map;

/**
 * The serde round trip against container images (apache/kafka and Apicurio Registry), for machines with Docker.
 * Skipped where no Docker engine runs, as on the project's CI machine, which uses the embedded stack instead.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerRoundTripIntegrationTest {
    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1").withNetwork(NETWORK);

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>("apicurio/apicurio-registry-mem:2.6.13.Final")
            .withNetwork(NETWORK)
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/health/ready").forStatusCode(200));

    @Test
    void shouldRoundTripRecordsThroughContainerizedKafkaAndRegistry() {
        String registryUrl = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080) + "/apis/ccompat/v7";
        SerdeRoundTripIntegrationTest.verifyRoundTrip(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers(),
                RegistryClientConfig.URL, registryUrl), "container-roundtrip", 2_000);
    }
}
