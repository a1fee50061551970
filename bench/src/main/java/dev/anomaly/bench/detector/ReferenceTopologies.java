package dev.anomaly.bench.detector;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.ScoringModel;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Topologies the detector is measured against: the cost floor of reading and writing Avro through the registry. */
final class ReferenceTopologies {
    private ReferenceTopologies() {
    }

    /** Deserialize every record and serialize it again to an output topic. */
    static Topology passThrough(String[] inputs, String output, Deserializer<GenericRecord> in, Serializer<GenericRecord> out, LongAdder done) {
        String input = inputs[0];
        Topology t = new Topology();
        t.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), inputs);
        t.addProcessor("copy", () -> new Processor<byte[], byte[], byte[], byte[]>() {
            private ProcessorContext<byte[], byte[]> context;

            @Override
            public void init(ProcessorContext<byte[], byte[]> context) {
                this.context = context;
            }

            @Override
            public void process(Record<byte[], byte[]> r) {
                GenericRecord value = in.deserialize(input, r.value());
                context.forward(r.withValue(out.serialize(output, value)));
                done.increment();
            }
        }, "in");
        t.addSink("out", output, new ByteArraySerializer(), new ByteArraySerializer(), "copy");
        return t;
    }

    /**
     * "The limit": the detector's work minus scoring — deserialize, extract features, forward the records the model
     * would flag (given by the sequence numbers in their keys, see {@link SyntheticReadings#key}) as alerts with the
     * same serde; no model, no batch buffer.
     */
    static Topology noOpLimit(String[] inputs, String alerts, FeatureSpec spec, BitSet flagged, Deserializer<GenericRecord> in,
                              Serializer<Alert> out, LongAdder done) {
        String input = inputs[0];
        Topology t = new Topology();
        t.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), inputs);
        t.addProcessor("flag", () -> new Processor<byte[], byte[], byte[], byte[]>() {
            private ProcessorContext<byte[], byte[]> context;
            private final float[] row = new float[spec.width()];

            @Override
            public void init(ProcessorContext<byte[], byte[]> context) {
                this.context = context;
            }

            @Override
            public void process(Record<byte[], byte[]> r) {
                spec.extractInto(in.deserialize(input, r.value()), row, 0);
                forwardIfFlagged(context, r, flagged, row[0], out, alerts);
                done.increment();
            }
        }, "in");
        t.addSink("alerts", alerts, new ByteArraySerializer(), new ByteArraySerializer(), "flag");
        return t;
    }

    /**
     * "The limit plus the model": the limit's work and, on the same thread, one call of the model per {@code batch}
     * feature rows — the same call the detector makes (score every row, explain those above the threshold). What any
     * design that runs this model must spend at least: no buffer of records, no hand-over to another thread, no
     * crash-safety (a partial batch is scored at the next 100 ms tick or when the task closes, and its records count as
     * done only then). Its alerts are the limit's, so its output work is the limit's too. {@code modelCpuNanos} adds up
     * the CPU time of the calling threads inside the model's calls.
     */
    static Topology limitWithModel(String[] inputs, String alerts, FeatureSpec spec, BitSet flagged, Deserializer<GenericRecord> in,
                                   Serializer<Alert> out, ScoringModel model, int batch, LongAdder done, LongAdder modelCpuNanos) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        String input = inputs[0];
        int width = spec.width();
        double threshold = model.metadata().threshold();
        Topology t = new Topology();
        t.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), inputs);
        t.addProcessor("flag-and-score", () -> new Processor<byte[], byte[], byte[], byte[]>() {
            private ProcessorContext<byte[], byte[]> context;
            private final float[] rows = new float[batch * width];
            private int n;

            @Override
            public void init(ProcessorContext<byte[], byte[]> context) {
                this.context = context;
                context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, now -> score());
            }

            @Override
            public void process(Record<byte[], byte[]> r) {
                spec.extractInto(in.deserialize(input, r.value()), rows, n * width);
                forwardIfFlagged(context, r, flagged, rows[n * width], out, alerts);
                if (++n == batch) {
                    score();
                }
            }

            @Override
            public void close() {
                score(); // a task moved to another thread in a rebalance: its records must still count as done
            }

            private void score() {
                if (n > 0) {
                    long before = cpu.getCurrentThreadCpuTime();
                    model.scoreExplainingAbove(rows, n, threshold);
                    modelCpuNanos.add(cpu.getCurrentThreadCpuTime() - before);
                    done.add(n);
                    n = 0;
                }
            }
        }, "in");
        t.addSink("alerts", alerts, new ByteArraySerializer(), new ByteArraySerializer(), "flag-and-score");
        return t;
    }

    /** The limit's stand-in for scoring: an alert for each record the model flags (by the sequence number in its key). */
    private static void forwardIfFlagged(ProcessorContext<byte[], byte[]> context, Record<byte[], byte[]> r, BitSet flagged, float score,
                                         Serializer<Alert> out, String alerts) {
        long sequence = SyntheticReadings.sequence(r.key());
        if (sequence >= 0 && flagged.get((int) sequence)) {
            var meta = context.recordMetadata().orElseThrow();
            Alert alert = Alert.newBuilder().setEventKey(new String(r.key())).setSourceTopic(meta.topic())
                    .setSourcePartition(meta.partition()).setSourceOffset(meta.offset())
                    .setEventTime(Instant.ofEpochMilli(r.timestamp())).setDetectedAt(Instant.now()).setModelId("limit")
                    .setModelVersion(1).setModelKind(ModelKind.AE).setScore(score).setThreshold(0).setTopFeatures(List.of())
                    .build();
            context.forward(r.withValue(out.serialize(alerts, alert)));
        }
    }
}
