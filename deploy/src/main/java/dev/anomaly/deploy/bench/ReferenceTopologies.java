package dev.anomaly.deploy.bench;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.FeatureSpec;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

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
                var meta = context.recordMetadata().orElseThrow();
                spec.extractInto(in.deserialize(input, r.value()), row, 0);
                long sequence = SyntheticReadings.sequence(r.key());
                if (sequence >= 0 && flagged.get((int) sequence)) {
                    Alert alert = Alert.newBuilder().setEventKey(new String(r.key())).setSourceTopic(meta.topic())
                            .setSourcePartition(meta.partition()).setSourceOffset(meta.offset())
                            .setEventTime(Instant.ofEpochMilli(r.timestamp())).setDetectedAt(Instant.now()).setModelId("limit")
                            .setModelVersion(1).setModelKind(ModelKind.AE).setScore(row[0]).setThreshold(0).setTopFeatures(List.of())
                            .build();
                    context.forward(r.withValue(out.serialize(alerts, alert)));
                }
                done.increment();
            }
        }, "in");
        t.addSink("alerts", alerts, new ByteArraySerializer(), new ByteArraySerializer(), "flag");
        return t;
    }
}
