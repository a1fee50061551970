package dev.anomaly.detector.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the detector asks the cluster with an admin client: is the broker there, do the topics exist (creating the
 * output ones when allowed), and how large may a dead letter be.
 */
final class KafkaChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaChecks.class);
    private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    private final Admin admin;
    private final Map<String, Object> kafka;

    KafkaChecks(Map<String, Object> kafka) {
        this.kafka = kafka;
        Map<String, Object> config = new HashMap<>();
        Set<String> known = AdminClientConfig.configNames();
        kafka.forEach((k, v) -> {
            if (known.contains(k)) {
                config.put(k, v);
            }
        });
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        this.admin = Admin.create(config);
    }

    /** Null when the broker answers within {@code timeout}, else what went wrong. */
    String brokerProblem(Duration timeout) {
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
        } catch (java.util.concurrent.TimeoutException e) {
            return "no answer from " + kafka.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG) + " within " + timeout.toMillis() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Waits until the broker answers, telling {@code report} what is wrong meanwhile and logging it every 10 s. */
    void awaitBroker(Consumer<String> report) throws InterruptedException {
        long lastLog = 0;
        while (true) {
            String problem = brokerProblem(Duration.ofSeconds(5));
            report.accept(problem);
            if (problem == null) {
                return;
            }
            if (System.nanoTime() - lastLog > 10_000_000_000L) {
                log.warn("Waiting for Kafka at {}: {}", kafka.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG), problem);
                lastLog = System.nanoTime();
            }
            Thread.sleep(1_000);
        }
    }

    /**
     * Checks that every topic exists. Missing input topics are always an error (the producers' to create, with the
     * partitions they need); missing output topics and the models topic are created when {@code create} is set.
     *
     * @throws StartupException naming the missing topics and the setting that would create them
     */
    void ensureTopics(List<String> inputs, List<String> outputs, Optional<String> modelsTopic, boolean create) {
        Set<String> wanted = new LinkedHashSet<>(inputs);
        wanted.addAll(outputs);
        modelsTopic.ifPresent(wanted::add);
        Set<String> existing;
        try {
            existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new StartupException("Cannot list topics: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("Interrupted while listing topics", e);
        }
        List<String> missingInputs = inputs.stream().filter(t -> !existing.contains(t)).toList();
        if (!missingInputs.isEmpty()) {
            throw new StartupException("Input topic(s) " + missingInputs + " do not exist: create them with the partitions the"
                    + " producers need (detector.input.topics names them)");
        }
        List<String> missing = new ArrayList<>();
        for (String t : wanted) {
            if (!existing.contains(t)) {
                missing.add(t);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        if (!create) {
            throw new StartupException("Topic(s) " + missing + " do not exist: create them, or set detector.topics.create=true");
        }
        for (String t : missing) {
            NewTopic topic = new NewTopic(t, Optional.empty(), Optional.empty());
            if (modelsTopic.map(t::equals).orElse(false)) {
                topic = new NewTopic(t, Optional.of(1), Optional.empty()).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            try {
                admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                log.info("Created topic {}", t);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new StartupException("Cannot create topic " + t + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                throw new StartupException("Timed out creating topic " + t, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartupException("Interrupted while creating topics", e);
            }
        }
    }

    /**
     * The largest dead letter that can be sent: the producer's {@code max.request.size} (as configured for Streams'
     * producer), the topic's {@code max.message.bytes} and {@code configured} (when > 0), whichever is smallest.
     */
    int deadLetterMaxBytes(String topic, int configured) {
        int producer = intSetting(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                intSetting(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DEFAULT_MAX_REQUEST_SIZE));
        int limit = producer;
        try {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            var entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry != null && entry.value() != null) {
                limit = Math.min(limit, Integer.parseInt(entry.value()));
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            log.warn("Cannot read max.message.bytes of {} ({}); dead letters are capped at max.request.size {}", topic, e.toString(), producer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return configured > 0 ? Math.min(configured, limit) : limit;
    }

    private int intSetting(String key, int fallback) {
        Object v = kafka.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid '" + key + "': not a whole number: " + v, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
