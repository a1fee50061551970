package dev.anomaly.deploy.stack;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The stack cleans up after itself: ports freed and no registry process left, even when its JVM is SIGKILLed. */
class LocalStackLifecycleTest {

    @Test
    void shouldFreePortsAndDeleteDataOnClose() throws Exception {
        LocalStack stack = LocalStack.start();
        int registryPort = URI.create(stack.schemaRegistryUrl()).getPort();
        int kafkaPort = port(stack.bootstrapServers());
        Path data = stack.dataDir();
        assertThat(Ports.inUse(registryPort)).isTrue();
        assertThat(Ports.inUse(kafkaPort)).isTrue();
        assertThat(registryProcesses(registryPort)).hasSize(1);

        stack.close();

        assertThat(Ports.inUse(registryPort)).isFalse();
        assertThat(Ports.inUse(kafkaPort)).isFalse();
        assertThat(registryProcesses(registryPort)).isEmpty();
        assertThat(Files.exists(data)).isFalse();
    }

    @Test
    void shouldNotOrphanTheRegistryWhenItsJvmIsKilled() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "-D" + ApicurioRegistry.HOME_PROPERTY + "=" + System.getProperty(ApicurioRegistry.HOME_PROPERTY),
                StackProcessMain.class.getName())
                .redirectErrorStream(true).start();
        int registryPort;
        int kafkaPort;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
                assertThat(line).as("child JVM output ended before the stack was ready").isNotNull();
            } while (!line.startsWith("READY "));
            String[] parts = line.split(" ");
            kafkaPort = Integer.parseInt(parts[1]);
            registryPort = Integer.parseInt(parts[2]);
            assertThat(registryProcesses(registryPort)).hasSize(1);

            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(registryProcesses(registryPort)).isEmpty();
            assertThat(Ports.inUse(registryPort)).isFalse();
        });
        assertThat(Ports.inUse(kafkaPort)).isFalse();
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static List<ProcessHandle> registryProcesses(int port) {
        String flag = "-Dquarkus.http.port=" + port;
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(flag) && !c.contains("sh -c")).orElse(false))
                .toList();
    }
}
