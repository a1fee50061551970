package dev.anomaly.bench.detector;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference topologies the detector is measured against. The registry serde is not what they are about, so the
 * values here are plain Avro binary; the model is a real (briefly trained) export run on ONNX Runtime.
 */
class ReferenceTopologiesTest {
    private static final int F = 30;
    private static final String IN = "in";
    private static final String OUT = "alerts";
    private static ScoringModel model;

    private final Schema schema = SyntheticReadings.schema(F);
    private final Deserializer<GenericRecord> deserializer = (topic, bytes) -> {
        try {
            return new GenericDatumReader<GenericRecord>(schema).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    };
    private final Serializer<Alert> alertSerializer = (topic, alert) -> alert.getEventKey().getBytes(StandardCharsets.UTF_8);

    @BeforeAll
    static void trainModel() {
        model = OnnxScoringModel.load(DetectorThroughputBenchmark.model(F, 2_000, 2), ScoringOptions.cpu());
    }

    @AfterAll
    static void closeModel() throws Exception {
        model.close();
    }

    @Test
    void shouldAlertOnTheFlaggedRecordsAndCountEachRecordWhenItsBatchIsScored() {
        BitSet flagged = new BitSet();
        flagged.set(1);
        flagged.set(4);
        LongAdder done = new LongAdder();
        LongAdder modelCpu = new LongAdder();
        Topology limitWithModel = ReferenceTopologies.limitWithModel(new String[]{IN}, OUT, SyntheticReadings.spec(F), flagged,
                deserializer, alertSerializer, model, 4, done, modelCpu);
        try (TopologyTestDriver driver = new TopologyTestDriver(limitWithModel)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(IN, new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(OUT, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            SyntheticReadings readings = new SyntheticReadings(F, 0.0, 7);
            for (long s = 0; s < 3; s++) {
                in.pipeInput(SyntheticReadings.key(s), avro(readings.next()));
            }
            assertThat(done.sum()).as("a partial batch is not scored yet").isZero();
            assertThat(modelCpu.sum()).isZero();
            in.pipeInput(SyntheticReadings.key(3), avro(readings.next()));
            assertThat(done.sum()).as("the full batch of 4 is scored").isEqualTo(4);
            assertThat(modelCpu.sum()).as("CPU time in the model's call").isPositive();
            in.pipeInput(SyntheticReadings.key(4), avro(readings.next()));
            assertThat(done.sum()).isEqualTo(4);
            driver.advanceWallClockTime(Duration.ofMillis(100));
            assertThat(done.sum()).as("the tick scores the partial batch").isEqualTo(5);
            assertThat(keys(out)).containsExactly("1", "4");
        }
    }

    @Test
    void shouldScoreAPartialBatchWhenItsTaskCloses() {
        LongAdder done = new LongAdder();
        Topology limitWithModel = ReferenceTopologies.limitWithModel(new String[]{IN}, OUT, SyntheticReadings.spec(F), new BitSet(),
                deserializer, alertSerializer, model, 512, done, new LongAdder());
        try (TopologyTestDriver driver = new TopologyTestDriver(limitWithModel)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(IN, new ByteArraySerializer(), new ByteArraySerializer());
            SyntheticReadings readings = new SyntheticReadings(F, 0.0, 3);
            for (long s = 0; s < 2; s++) {
                in.pipeInput(SyntheticReadings.key(s), avro(readings.next()));
            }
            assertThat(done.sum()).isZero();
        }
        assertThat(done.sum()).as("a task moved away in a rebalance still finishes its records").isEqualTo(2);
    }

    @Test
    void shouldForwardTheSameAlertsAsTheLimit() {
        BitSet flagged = new BitSet();
        flagged.set(0);
        flagged.set(5);
        flagged.set(6);
        LongAdder limitDone = new LongAdder();
        LongAdder modelDone = new LongAdder();
        List<String> limit = run(ReferenceTopologies.noOpLimit(new String[]{IN}, OUT, SyntheticReadings.spec(F), flagged, deserializer,
                alertSerializer, limitDone));
        List<String> withModel = run(ReferenceTopologies.limitWithModel(new String[]{IN}, OUT, SyntheticReadings.spec(F), flagged,
                deserializer, alertSerializer, model, 3, modelDone, new LongAdder()));
        assertThat(limit).containsExactly("0", "5", "6");
        assertThat(withModel).isEqualTo(limit);
        assertThat(limitDone.sum()).isEqualTo(10);
        assertThat(modelDone.sum()).isEqualTo(10);
    }

    private List<String> run(Topology topology) {
        try (TopologyTestDriver driver = new TopologyTestDriver(topology)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic(IN, new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(OUT, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            SyntheticReadings readings = new SyntheticReadings(F, 0.0, 11);
            for (long s = 0; s < 10; s++) {
                in.pipeInput(SyntheticReadings.key(s), avro(readings.next()));
            }
            driver.advanceWallClockTime(Duration.ofMillis(100));
            return keys(out);
        }
    }

    private static List<String> keys(TestOutputTopic<byte[], byte[]> out) {
        List<String> keys = new ArrayList<>();
        out.readValuesToList().forEach(v -> keys.add(new String(v, StandardCharsets.UTF_8)));
        return keys;
    }

    private byte[] avro(GenericRecord record) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            var encoder = EncoderFactory.get().binaryEncoder(bytes, null);
            new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
            encoder.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
