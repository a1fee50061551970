package dev.anomaly.bench.detector;

import dev.anomaly.schemas.avro.Alert;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * Produce → output latency at a fixed input rate: sends records at {@code rate} per second for {@code seconds}, each
 * stamped with its send time, and reads the output topic (read-committed, so exactly-once output counts when it is
 * committed); latency = time read − input timestamp, which the application carries to its outputs. The first two
 * seconds of sends are left out as warm-up.
 */
final class LatencyProbe {
    /**
     * The load generator's producer settings: no compression, linger 5 ms, and batches of up to 256 KB as a
     * high-throughput producer would use. The generator shares this machine's 2 cores with the broker and the
     * application, which in a deployment it would not; with Kafka's default 16 KB batches the generator and the broker
     * took about 3.9 µs of CPU per live input record (at-least-once, 2 threads, ~200 k records/s), with 256 KB about
     * 2.5 µs — CPU that the application under test then has.
     */
    static final Map<String, Object> LOAD_PRODUCER = Map.of(ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");

    /**
     * Percentiles in milliseconds over {@code samples} output records; {@code achievedRate} is what was sent;
     * {@code drainMillis} how long after the last record was sent the application had processed everything (NaN if it
     * had not within 30 s, or without a count of processed records); CPU cores in use meanwhile by the application and
     * by the broker's process (which also runs this probe).
     */
    record Result(double p50, double p99, double max, int samples, double achievedRate, long sent, boolean caughtUp, double drainMillis,
                  double appCores, double brokerCores) {
        Result withCpu(double app, double broker) {
            return new Result(p50, p99, max, samples, achievedRate, sent, caughtUp, drainMillis, app, broker);
        }
    }

    private LatencyProbe() {
    }

    /**
     * @param pool      record values to send, cycled; record {@code i} of the pool is sent with key {@code i}
     * @param processed the application's count of processed records, to know when it has caught up; null when
     *                  there is no application (input and output are the same topic)
     * @param backlog   what {@code processed} must reach before sending starts (all earlier input); an application that
     *                  does not get there within five minutes is overloaded and nothing is measured
     * @param trace     where to write every sample as {@code input_timestamp_ms,latency_ms,input_partition,detected_at_ms}, and
     *                  beside it the longest produce acknowledgement per 100 ms of sending; null for nowhere
     */
    static Result run(Map<String, Object> client, String input, String output, List<byte[]> pool, double rate, double seconds,
                      LongSupplier processed, long backlog, Path trace) throws IOException {
        if (processed != null && !await(() -> processed.getAsLong() >= backlog, 300_000)) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, false, Double.NaN, Double.NaN, Double.NaN);
        }
        Map<String, Object> consumerConfig = new HashMap<>(client);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        consumerConfig.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1); // as the detector's: a fixed 64 KB stalls on loopback
        Map<String, Object> producerConfig = new HashMap<>(client);
        producerConfig.putAll(LOAD_PRODUCER);
        long[] latencies = new long[1 << 16];
        long[] sentAt = new long[latencies.length];
        int[] inputPartition = new int[latencies.length];
        long[] detectedAt = new long[latencies.length];
        var alertReader = new SpecificDatumReader<>(Alert.class);
        int samples = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(output).stream().map(p -> new TopicPartition(output, p.partition())).toList();
            consumer.assign(parts);
            if (processed != null) {
                awaitSettled(consumer, parts); // the application's output of the backlog, still being written, is no load of this phase
            }
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            int inputPartitions = consumer.partitionsFor(input).size();
            AtomicLong sent = new AtomicLong();
            AtomicLong sendNanos = new AtomicLong();
            AtomicLong warmUpEnd = new AtomicLong(Long.MAX_VALUE);
            AtomicLong sendEnd = new AtomicLong();
            // With a trace: the longest wait for the broker's acknowledgement of a record sent in each 100 ms.
            AtomicLongArray ackMax = new AtomicLongArray(trace == null ? 0 : (int) (seconds * 10) + 600);
            long ackBase = System.currentTimeMillis();
            Thread sender = new Thread(() -> {
                long start = System.nanoTime();
                long startMs = System.currentTimeMillis();
                warmUpEnd.set(startMs + 2000);
                long total = (long) (rate * seconds);
                long n = 0;
                while (n < total) {
                    long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate));
                    for (; n < due; n++) {
                        int i = (int) (n % pool.size());
                        long at = System.currentTimeMillis();
                        var record = new ProducerRecord<>(input, null, at, SyntheticReadings.key(i), pool.get(i));
                        if (trace == null) {
                            producer.send(record);
                        } else {
                            int window = (int) Math.min(ackMax.length() - 1, (at - ackBase) / 100);
                            producer.send(record, (m, e) -> ackMax.accumulateAndGet(window, System.currentTimeMillis() - at, Math::max));
                        }
                    }
                    LockSupport.parkNanos(200_000);
                }
                producer.flush();
                sendNanos.set(System.nanoTime() - start); // longer than planned when this thread could not keep up
                sendEnd.set(System.currentTimeMillis());
                sent.set(n);
            }, "latency-sender");
            sender.start();
            long quietSince = 0;
            // An application that has not caught up 30 s after the input stopped is overloaded at this rate.
            long deadline = System.currentTimeMillis() + (long) (seconds * 1000) + 30_000;
            boolean caughtUp = false;
            long caughtUpAt = -1;
            while (System.currentTimeMillis() < deadline) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.timestamp() >= warmUpEnd.get()) {
                        if (samples == latencies.length) {
                            latencies = Arrays.copyOf(latencies, samples * 2);
                            sentAt = Arrays.copyOf(sentAt, samples * 2);
                            inputPartition = Arrays.copyOf(inputPartition, samples * 2);
                            detectedAt = Arrays.copyOf(detectedAt, samples * 2);
                        }
                        if (trace != null) {
                            detectedAt[samples] = detectedAt(alertReader, r.value());
                            // The output keeps the input's key; the producer's default partitioner put it here.
                            inputPartition[samples] = r.key() == null ? -1 : Utils.toPositive(Utils.murmur2(r.key())) % inputPartitions;
                            sentAt[samples] = r.timestamp();
                        }
                        latencies[samples++] = now - r.timestamp();
                    }
                }
                caughtUp = !sender.isAlive() && (processed == null || processed.getAsLong() >= backlog + sent.get());
                if (caughtUp && caughtUpAt < 0) {
                    caughtUpAt = now;
                }
                if (!caughtUp || !records.isEmpty()) {
                    quietSince = now;
                } else if (now - quietSince > 1000) {
                    break; // caught up, and nothing more has arrived for a second (exactly-once: the last commit is in)
                }
            }
            if (trace != null) {
                try (var w = Files.newBufferedWriter(trace)) {
                    w.write("input_timestamp_ms,latency_ms,input_partition,detected_at_ms\n");
                    for (int i = 0; i < samples; i++) {
                        w.write(sentAt[i] + "," + latencies[i] + "," + inputPartition[i] + "," + detectedAt[i] + "\n");
                    }
                }
                String name = trace.getFileName().toString().replaceFirst("\\.csv$", "");
                try (var w = Files.newBufferedWriter(trace.resolveSibling(name + "-acks.csv"))) {
                    w.write("sent_from_ms,longest_ack_ms\n");
                    for (int i = 0; i < ackMax.length(); i++) {
                        w.write((ackBase + 100L * i) + "," + ackMax.get(i) + "\n");
                    }
                }
            }
            long[] sorted = Arrays.copyOf(latencies, samples);
            Arrays.sort(sorted);
            return new Result(percentile(sorted, 0.50), percentile(sorted, 0.99), samples == 0 ? Double.NaN : sorted[samples - 1], samples,
                    sent.get() / Math.max(seconds, sendNanos.get() / 1e9), sent.get(), caughtUp,
                    processed == null || caughtUpAt < 0 ? Double.NaN : Math.max(0, caughtUpAt - sendEnd.get()), Double.NaN, Double.NaN);
        }
    }

    /** The alert's detectedAt, when the application built it; -1 if the value is not an alert in the wire format. */
    private static long detectedAt(SpecificDatumReader<Alert> reader, byte[] value) {
        if (value == null || value.length < 5 || value[0] != 0) {
            return -1;
        }
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null)).getDetectedAt().toEpochMilli();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Waits (at most a minute) until the output's end offsets (read-committed) stay put for half a second: an
     * application that has processed its backlog may still be writing that backlog's output, which a pass-through
     * does for every record, and the first phase would otherwise measure that.
     */
    private static void awaitSettled(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> parts) {
        long deadline = System.currentTimeMillis() + 60_000;
        Map<TopicPartition, Long> last = consumer.endOffsets(parts);
        while (System.currentTimeMillis() < deadline) {
            LockSupport.parkNanos(500_000_000);
            Map<TopicPartition, Long> now = consumer.endOffsets(parts);
            if (now.equals(last)) {
                return;
            }
            last = now;
        }
    }

    private static boolean await(java.util.function.BooleanSupplier condition, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            LockSupport.parkNanos(20_000_000); // the counter is sampled every 100 ms anyway
        }
        return true;
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
