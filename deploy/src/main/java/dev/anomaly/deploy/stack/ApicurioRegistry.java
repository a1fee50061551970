package dev.anomaly.deploy.stack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apicurio Registry (2.6, in-memory storage) in a child JVM on 127.0.0.1, serving the Confluent-compatible API
 * under {@code /apis/ccompat/v7}.
 *
 * <p>The child is started through {@code sh}, which holds a pipe from this JVM on its standard input and kills the
 * registry when that pipe closes: so the registry also goes away when this JVM is killed with SIGKILL, when no
 * shutdown hook runs.
 */
public final class ApicurioRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApicurioRegistry.class);
    /** Where the unpacked {@code apicurio-registry-app-*-all.tar.gz} is; set by the launcher and the build. */
    public static final String HOME_PROPERTY = "anomaly.registry.home";
    private static final String WATCHDOG =
            "\"$@\" </dev/null & child=$!; trap 'kill $child 2>/dev/null; exit 0' TERM INT; "
                    + "read ignored; kill $child 2>/dev/null; wait $child";

    private final Process process;
    private final int port;

    private ApicurioRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the registry and waits until {@code /health/ready} answers 200. */
    public static ApicurioRegistry start(Path dataDir, int port, Duration timeout) throws IOException {
        Path runner = runnerJar();
        int httpPort = port == 0 ? Ports.freePort() : port;
        if (Ports.inUse(httpPort)) {
            throw new IOException("Cannot start the schema registry: port 127.0.0.1:" + httpPort + " is already in use");
        }
        Files.createDirectories(dataDir);
        Path logFile = dataDir.resolve("registry.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("sh", "-c", WATCHDOG, "apicurio-watchdog",
                java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.log.level=WARN", "-Dregistry.auth.enabled=false",
                "-jar", runner.toString()));
        Process process = new ProcessBuilder(command)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile())
                .start();
        ApicurioRegistry registry = new ApicurioRegistry(process, httpPort);
        try {
            registry.awaitReady(timeout, logFile);
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
        log.info("Schema registry (Apicurio) ready at {}", registry.ccompatUrl());
        return registry;
    }

    /** The Confluent-compatible API root, for {@code schema.registry.url}. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    private void awaitReady(Duration timeout, Path logFile) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("Schema registry exited with code " + process.exitValue() + " during start-up; log "
                        + logFile + ":\n" + tail(logFile));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for the schema registry", e);
            }
            try {
                process.waitFor(200, TimeUnit.MILLISECONDS); // wakes early if the child dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for the schema registry", e);
            }
        }
        throw new IOException("Schema registry not ready after " + timeout.toSeconds() + " s; log " + logFile + ":\n" + tail(logFile));
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Finds the runner jar of the unpacked registry package. */
    static Path runnerJar() {
        Optional<String> configured = Optional.ofNullable(System.getProperty(HOME_PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv("ANOMALY_REGISTRY_HOME")))
                .or(() -> Optional.ofNullable(System.getProperty("anomaly.home")).map(h -> h + "/registry"));
        if (configured.isEmpty()) {
            throw new IllegalStateException("Cannot find Apicurio Registry: set -D" + HOME_PROPERTY
                    + " (or ANOMALY_REGISTRY_HOME) to the unpacked apicurio-registry-app package; the distribution"
                    + " built by './mvnw package' has it under deploy/target/anomaly/registry");
        }
        Path home = Path.of(configured.get());
        try (Stream<Path> files = Files.list(home)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No *-runner.jar in registry home " + home));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read registry home " + home + " (" + HOME_PROPERTY + ")", e);
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        try {
            process.getOutputStream().close(); // the watchdog's read returns and it stops the registry
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                log.warn("Schema registry did not stop within 20 s; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
