package dev.anomaly.trainer.lifecycle;

import dev.anomaly.trainer.data.DataException;
import dev.anomaly.trainer.data.UnavailableException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Everything committed on a topic now, read without a consumer group; records that cannot be read are counted, not fatal. */
public final class TopicReader {
    private TopicReader() {
    }

    /** The topic's records that could be read, in partition and offset order. */
    public static <T> List<T> read(String topic, Map<String, Object> clientConfig, Deserializer<T> values, Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> out = new ArrayList<>();
        int unreadable = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos;
            try {
                infos = c.partitionsFor(topic, timeout);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new UnavailableException("Cannot reach Kafka at " + config.get("bootstrap.servers") + " to read " + topic, e);
            }
            if (infos == null || infos.isEmpty()) {
                throw new DataException("Topic '" + topic + "' does not exist");
            }
            List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(p -> c.position(p, timeout) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new UnavailableException("Timed out reading " + topic + " (" + out.size() + " records read)", null);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        out.add(values.deserialize(topic, r.value()));
                    } catch (RuntimeException e) {
                        unreadable++;
                    }
                }
            }
        }
        if (unreadable > 0) {
            org.slf4j.LoggerFactory.getLogger(TopicReader.class).warn("{}: {} records could not be read", topic, unreadable);
        }
        return out;
    }

    /** As {@link #read}, or nothing when the topic does not exist (detectors with model events off). */
    public static <T> List<T> readIfExists(String topic, Map<String, Object> clientConfig, Deserializer<T> values, Duration timeout) {
        try {
            return read(topic, clientConfig, values, timeout);
        } catch (DataException e) {
            return List.of();
        }
    }
}
