package dev.anomaly.deploy.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The embedded local stack: a real Kafka broker (KRaft) and a real schema registry on 127.0.0.1, all data under one
 * directory. Used by {@code anomaly demo} and by the integration tests, so that both run against the same thing.
 * {@link #close()} stops both (a shutdown hook does it too when the JVM exits).
 */
public final class LocalStack implements KafkaEnvironment, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    private final EmbeddedKafkaBroker broker;
    private final ApicurioRegistry registry;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final Thread shutdownHook;
    private volatile boolean closed;

    private LocalStack(EmbeddedKafkaBroker broker, ApicurioRegistry registry, Path dataDir, boolean deleteOnClose, boolean hook) {
        this.broker = broker;
        this.registry = registry;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.shutdownHook = new Thread(this::stop, "local-stack-shutdown");
        if (hook) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /**
     * @param dataDir       where broker logs and registry output go; {@code null} for a fresh temporary directory
     * @param kafkaPort     broker port, 0 for any free port
     * @param registryPort  registry port, 0 for any free port
     * @param shutdownHook  stop the stack when the JVM exits (off when the caller stops it, in an order of its own)
     */
    public record Options(Path dataDir, int kafkaPort, int registryPort, Duration startTimeout, boolean shutdownHook) {
        public Options(Path dataDir, int kafkaPort, int registryPort, Duration startTimeout) {
            this(dataDir, kafkaPort, registryPort, startTimeout, true);
        }

        public static Options defaults() {
            return new Options(null, 0, 0, Duration.ofSeconds(90));
        }

        public Options withoutShutdownHook() {
            return new Options(dataDir, kafkaPort, registryPort, startTimeout, false);
        }
    }

    public static LocalStack start() throws IOException {
        return start(Options.defaults());
    }

    public static LocalStack start(Options options) throws IOException {
        boolean temporary = options.dataDir() == null;
        Path dataDir = temporary ? Files.createTempDirectory("anomaly-stack-") : options.dataDir();
        Files.createDirectories(dataDir);
        long started = System.nanoTime();
        // The registry's JVM boots in the background while the broker formats and starts here.
        ApicurioRegistry registry = null;
        EmbeddedKafkaBroker broker = null;
        try {
            var registryStart = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return ApicurioRegistry.start(dataDir.resolve("registry"), options.registryPort(), options.startTimeout());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            broker = EmbeddedKafkaBroker.start(dataDir.resolve("kafka"), options.kafkaPort());
            registry = registryStart.join();
        } catch (IOException | RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw e;
        }
        log.info("Local stack up in {} ms: kafka {} registry {}", (System.nanoTime() - started) / 1_000_000,
                broker.bootstrapServers(), registry.ccompatUrl());
        return new LocalStack(broker, registry, dataDir, temporary, options.shutdownHook());
    }

    @Override
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Confluent-compatible schema registry URL. */
    @Override
    public String schemaRegistryUrl() {
        return registry.ccompatUrl();
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    /** Client properties to reach this stack: bootstrap servers and schema registry URL. */
    @Override
    public Map<String, Object> clientConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(), "schema.registry.url", schemaRegistryUrl());
    }

    /** Creates topics (replication factor 1) unless they exist. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(java.util.List.of(topic)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + topic.name() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    /** Deletes every topic whose name starts with {@code prefix} (and its data: benchmarks write gigabytes). */
    public void deleteTopicsStartingWith(String prefix) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            var names = admin.listTopics().names().get().stream().filter(n -> n.startsWith(prefix)).toList();
            if (!names.isEmpty()) {
                admin.deleteTopics(names).all().get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot delete topics " + prefix + "*: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while deleting topics", e);
        }
    }

    /** Stops the broker, keeping its data, until {@link #startBroker()}: for tests of a broker outage. */
    public void stopBroker() {
        broker.stop();
    }

    /** Starts the broker again after {@link #stopBroker()}, on the same address and data. */
    public void startBroker() {
        broker.restart();
    }

    @Override
    public void createTopic(String name, int partitions) {
        createTopics(java.util.List.of(new NewTopic(name, partitions, (short) 1)));
    }

    @Override
    public void createLogAppendTimeTopic(String name, int partitions) {
        createTopics(java.util.List.of(new NewTopic(name, partitions, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime"))));
    }

    @Override
    public void createCompactedTopic(String name) {
        createTopics(java.util.List.of(new NewTopic(name, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))));
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            registry.close();
        } finally {
            try {
                broker.close();
            } finally {
                if (deleteOnClose) {
                    deleteRecursively(dataDir);
                }
            }
        }
        log.info("Local stack stopped");
    }

    private static void deleteRecursively(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("Could not delete local stack data in {}: {}", dir, e.toString());
        }
    }
}
