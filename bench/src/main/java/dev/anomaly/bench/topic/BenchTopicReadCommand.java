package dev.anomaly.bench.topic;

import dev.anomaly.bench.BenchmarkReport;
import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.trainer.cli.ExitCodes;
import dev.anomaly.trainer.data.KafkaTopicData;
import dev.anomaly.trainer.data.TopicRange;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code anomaly bench topic-read}: heap retained by reading a topic range whole against reading it into a uniform
 * sample (what {@code train --topic --sample} and the retraining job do), on one embedded broker, side by side.
 */
@Command(name = "topic-read", mixinStandardHelpOptions = true,
        header = "Memory of reading a topic range whole vs as a sample (train --topic --sample).",
        description = "Produces --records records of --fields doubles to an embedded broker, then reads the range whole and as a"
                + " sample of --sample records, printing the heap each result retains (after a full GC) and the read time.")
public final class BenchTopicReadCommand implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "300000", description = "Records (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--fields", defaultValue = "30", description = "Numeric fields per record (default: ${DEFAULT-VALUE}).")
    int fields;

    @Option(names = "--sample", defaultValue = "50000", description = "Sample size (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record("Wide").namespace("bench").fields();
        for (int j = 0; j < fields; j++) {
            f = f.requiredDouble("f" + j);
        }
        Schema schema = f.endRecord();
        Map<String, Double> figures = new LinkedHashMap<>();
        try (LocalStack stack = LocalStack.start()) {
            stack.createTopic("wide", 4);
            produce(stack, schema);
            long base = retained();
            for (OptionalInt s : new OptionalInt[]{OptionalInt.empty(), OptionalInt.of(sample)}) {
                String label = s.isPresent() ? "sample_" + sample : "whole";
                TopicRange range = new TopicRange("wide", Optional.empty(), Optional.empty(), OptionalLong.empty(), s, stack.clientConfig());
                long t0 = System.nanoTime();
                KafkaTopicData.Read read = KafkaTopicData.readAll(range, Duration.ofMinutes(10), p -> true);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long held = retained() - base;
                figures.put(label + "_records_kept", (double) read.records().size());
                figures.put(label + "_retained_mb", held / 1e6);
                figures.put(label + "_read_seconds", seconds);
                System.out.printf("%-8s kept %,9d of %,9d records: retained %,8.1f MB, read in %.1f s%n", label, read.records().size(),
                        read.seen(), held / 1e6, seconds);
                read = null; // let the next read start from the same baseline
            }
        }
        new BenchmarkReport("topic-read").put("records", records).put("fields", fields).put("sample", sample).putAll(figures)
                .finish("topic-read", json);
        return ExitCodes.OK;
    }

    private void produce(LocalStack stack, Schema schema) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config, false);
        SplittableRandom r = new SplittableRandom(1);
        try (KafkaProducer<String, GenericRecord> p = new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
            for (int i = 0; i < records; i++) {
                GenericRecord rec = new GenericData.Record(schema);
                for (int j = 0; j < fields; j++) {
                    rec.put(j, r.nextGaussian());
                }
                p.send(new ProducerRecord<>("wide", "k" + (i % 1000), rec));
            }
            p.flush();
        }
    }

    /** Heap in use after full collections: what the live objects hold. */
    private static long retained() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
