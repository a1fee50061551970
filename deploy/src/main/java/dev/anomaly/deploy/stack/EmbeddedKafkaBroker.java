package dev.anomaly.deploy.stack;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real Kafka broker (KRaft, combined broker + controller, node 1) running in this JVM, listening on 127.0.0.1 only.
 * Settings are those of a single-node development cluster: replication factor 1 everywhere, small internal topics.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private KafkaRaftServer server;
    private final int port;
    private final Properties props;
    private boolean running = true;

    private EmbeddedKafkaBroker(KafkaRaftServer server, int port, Properties props) {
        this.server = server;
        this.port = port;
        this.props = props;
    }

    /**
     * Formats {@code dataDir} (when new) and starts the broker.
     *
     * @param port broker port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port) throws IOException {
        int brokerPort = port == 0 ? Ports.freePort() : port;
        int controllerPort = Ports.freePort();
        Path logDir = dataDir.resolve("kafka-logs");
        Files.createDirectories(logDir);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        // Single node: every internal topic with one replica; fewer partitions start faster.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("num.partitions", "1");
        props.put("auto.create.topics.enable", "true");
        Path config = dataDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "embedded single-node KRaft broker");
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
            int rc = StorageTool.execute(new String[]{"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                    new PrintStream(formatLog, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IOException("Formatting Kafka storage in " + logDir + " failed: " + formatLog.toString(StandardCharsets.UTF_8));
            }
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        server.startup();
        log.info("Kafka broker listening on 127.0.0.1:{} (data in {})", brokerPort, logDir);
        return new EmbeddedKafkaBroker(server, brokerPort, props);
    }

    /** Stops the broker (as a crash would look to clients: connections refused); its data stays. */
    public synchronized void stop() {
        if (running) {
            server.shutdown();
            server.awaitShutdown();
            running = false;
            log.info("Kafka broker on 127.0.0.1:{} stopped", port);
        }
    }

    /** Starts the broker again on the same ports and data, after {@link #stop()}. */
    public synchronized void restart() {
        if (!running) {
            server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            server.startup();
            running = true;
            log.info("Kafka broker on 127.0.0.1:{} started again", port);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
