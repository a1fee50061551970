package dev.anomaly.trainer.data;

import dev.anomaly.schemas.serde.AvroDeserializer;
import dev.anomaly.schemas.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a range of an Avro topic (Confluent wire format) without joining a consumer group: partitions are assigned
 * directly, the end is fixed when reading starts, so the read always terminates.
 */
public final class KafkaTopicData {
    private static final Logger log = LoggerFactory.getLogger(KafkaTopicData.class);

    private KafkaTopicData() {
    }

    /** A record with the position it was read from. */
    public record Positioned(GenericRecord value, String key, int partition, long offset, long timestamp) {
    }

    /** What a read kept, and how many records it kept them from (more than kept when the range is sampled). */
    public record Read(List<Positioned> records, long seen) {
        public List<GenericRecord> values() {
            return records.stream().map(Positioned::value).toList();
        }

        /** "N records", or "a uniform sample of K of N records". */
        public String describe() {
            return records.size() < seen ? String.format("a uniform sample of %,d of %,d records", records.size(), seen)
                    : String.format("%,d records", records.size());
        }
    }

    /** Seed of the sample: the same range of the same topic gives the same sample. */
    static final long SAMPLE_SEED = 20_261_202L;

    public static List<GenericRecord> records(TopicRange range, Duration timeout) {
        return readAll(range, timeout, p -> true).values();
    }

    /**
     * @param keep records failing this predicate are left out (the retraining job drops alerted records this way)
     */
    public static List<Positioned> read(TopicRange range, Duration timeout, Predicate<Positioned> keep) {
        return readAll(range, timeout, keep).records();
    }

    /**
     * Reads the range; a sampled range keeps a uniform reservoir sample of the kept records, returned in time order, so
     * that memory is bounded by the sample size however long the range.
     */
    public static Read readAll(TopicRange range, Duration timeout, Predicate<Positioned> keep) {
        Map<String, Object> config = new HashMap<>(range.clientConfig());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        AvroDeserializer<GenericRecord> values = new AvroDeserializer<>();
        values.configure(config, false);
        Reservoir<Positioned> sample = range.sample().isPresent() ? new Reservoir<>(range.sample().getAsInt(), SAMPLE_SEED) : null;
        List<Positioned> out = sample != null ? sample.items() : new ArrayList<>();
        long[] seen = {0};
        int unreadable = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(range.topic(), timeout);
            if (infos == null || infos.isEmpty()) {
                throw new DataException("Topic '" + range.topic() + "' does not exist or has no partitions");
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
            Map<TopicPartition, Long> start = new HashMap<>(begin);
            range.from().ifPresent(from -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(p -> query.put(p, from.toEpochMilli()));
                consumer.offsetsForTimes(query, timeout).forEach((p, ot) ->
                        start.put(p, ot == null ? end.get(p) : Math.max(begin.get(p), ((OffsetAndTimestamp) ot).offset())));
            });
            if (range.lastN().isPresent()) {
                long n = range.lastN().getAsLong();
                partitions.forEach(p -> start.put(p, Math.max(start.get(p), end.get(p) - n)));
            }
            Map<TopicPartition, Long> remaining = new HashMap<>();
            for (TopicPartition p : partitions) {
                if (start.get(p) < end.get(p)) {
                    consumer.seek(p, start.get(p));
                    remaining.put(p, end.get(p));
                }
            }
            consumer.assign(new ArrayList<>(remaining.keySet()));
            remaining.forEach((p, e) -> consumer.seek(p, start.get(p)));
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastProgress = System.nanoTime();
            while (!remaining.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new DataException("Timed out after " + timeout.toSeconds() + " s reading " + range.describe()
                            + " (" + seen[0] + " records read)");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition p = new TopicPartition(r.topic(), r.partition());
                    Long stop = remaining.get(p);
                    if (stop == null || r.offset() >= stop) {
                        continue;
                    }
                    if (range.to().isEmpty() || r.timestamp() <= range.to().get().toEpochMilli()) {
                        try {
                            GenericRecord value = values.deserialize(r.topic(), r.value());
                            if (value != null) {
                                Positioned pos = new Positioned(value, r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                                        r.partition(), r.offset(), r.timestamp());
                                if (keep.test(pos)) {
                                    seen[0]++;
                                    if (sample != null) {
                                        sample.offer(pos);
                                    } else {
                                        out.add(pos);
                                    }
                                }
                            }
                        } catch (WireFormatException e) {
                            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                                throw new DataException("Cannot read " + range.describe() + ": " + e.getMessage());
                            }
                            unreadable++;
                        } catch (RuntimeException e) {
                            unreadable++;
                        }
                    }
                }
                // By position, not by the last record's offset: on a transactional topic the last offset before the end
                // is a commit marker, never returned as a record.
                for (TopicPartition p : new ArrayList<>(remaining.keySet())) {
                    if (consumer.position(p, timeout) >= remaining.get(p)) {
                        remaining.remove(p);
                        consumer.pause(List.of(p));
                    }
                }
                if (System.nanoTime() - lastProgress > 5_000_000_000L) {
                    log.info("Read {} records of {} so far", seen[0], range.describe());
                    lastProgress = System.nanoTime();
                }
            }
        }
        if (unreadable > 0) {
            log.warn("{}: left out {} records that could not be deserialized", range.describe(), unreadable);
        }
        Comparator<Positioned> inTime = Comparator.comparingLong(Positioned::timestamp).thenComparingInt(Positioned::partition)
                .thenComparingLong(Positioned::offset);
        if (sample != null && out.size() < seen[0]) {
            List<Positioned> kept = new ArrayList<>(out);
            kept.sort(inTime);
            log.info("{}: kept a uniform sample of {} of {} records", range.describe(), kept.size(), seen[0]);
            return new Read(kept, seen[0]);
        }
        // Everything read was kept: the last N overall, by time.
        if (range.lastN().isPresent() && out.size() > range.lastN().getAsLong()) {
            List<Positioned> all = new ArrayList<>(out);
            all.sort(inTime);
            List<Positioned> last = new ArrayList<>(all.subList(all.size() - (int) range.lastN().getAsLong(), all.size()));
            return new Read(last, last.size());
        }
        return new Read(sample != null ? new ArrayList<>(out) : out, out.size());
    }
}
