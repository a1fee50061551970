package dev.anomaly.detector.topology;

import dev.anomaly.detector.TestModels;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.ops.Heartbeats;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.scoring.WindowHeaders;
import dev.anomaly.detector.windows.WindowSettings;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.AlertEpisode;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.features.WindowSpec;
import dev.anomaly.schemas.registry.InMemorySchemaRegistry;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The window stage with a windowed model (the centre model over windows of 3 readings per machine): when a key is
 * scored, what a window holds, and the documented policies for late records, gaps, idle keys and forged headers.
 */
class WindowStageTest {
    private static final String SCOPE = "window-stage-test";
    private static final long T0 = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
    private static final double[] NORMAL = {1500, 40, 75, 2.6, 3.7, 60};

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<byte[], byte[]> alerts;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private TestOutputTopic<byte[], byte[]> scores;
    private GenericAvroSerde serde;
    private SpecificAvroSerde<Alert> alertSerde;
    private ModelHolder models;
    private DetectorMetrics metrics;

    void start(int size, int stride, long maxGapMs, byte[] model) {
        start(size, stride, maxGapMs, model, Map.of());
    }

    void start(int size, int stride, long maxGapMs, byte[] model, Map<String, String> more) {
        Map<String, String> raw = new HashMap<>();
        raw.put(DetectorConfig.INPUT_TOPICS, "telemetry");
        raw.put(DetectorConfig.SCORES_TOPIC, "scores");
        raw.put(DetectorConfig.BATCH_SIZE, "1");
        raw.put("bootstrap.servers", "unused:9092");
        raw.put("schema.registry.url", "mock://" + SCOPE);
        raw.put("detector.drift.enabled", "false");
        raw.put(DetectorConfig.ALLOW_UNSIGNED, "true");
        raw.put(WindowSettings.MAX_GAP_MS, Long.toString(maxGapMs));
        raw.put(WindowSettings.IDLE_EXPIRY_MS, "3600000");
        raw.putAll(more);
        DetectorConfig config = DetectorConfig.fromMap(raw);
        Map<String, Object> clientConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
        serde = new GenericAvroSerde();
        serde.configure(clientConfig, false);
        alertSerde = new SpecificAvroSerde<>(Alert.class);
        alertSerde.configure(clientConfig, false);
        SpecificAvroSerde<DriftEvent> driftSerde = new SpecificAvroSerde<>(DriftEvent.class);
        driftSerde.configure(clientConfig, false);
        SpecificAvroSerde<AlertEpisode> episodeSerde = new SpecificAvroSerde<>(AlertEpisode.class);
        episodeSerde.configure(clientConfig, false);
        metrics = new DetectorMetrics(new SimpleMeterRegistry());
        models = new ModelHolder();
        models.swap(OnnxScoringModel.load(model != null ? model
                : TestModels.windowedCentreModel("pumps", 1, 10.0, new WindowSpec("machineId", "timestamp", size, stride)), ScoringOptions.cpu()));
        var topology = DetectorTopology.build(config, new DetectorTopology.Parts(models, serde.deserializer(), alertSerde,
                driftSerde.serializer(), episodeSerde.serializer(), metrics, () -> BatchObserver.NONE, Clock.systemUTC(), null,
                new DeadLetterLimit(1024 * 1024), Heartbeats.NONE));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "window-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        input = driver.createInputTopic("telemetry", new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic("anomaly-alerts", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic("anomaly-deadletter", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        scores = driver.createOutputTopic("scores", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        models.close();
        InMemorySchemaRegistry.drop(SCOPE);
    }

    private void send(String machine, long time, double... x) {
        send(machine, time, new RecordHeaders(), x);
    }

    private void send(String machine, long time, RecordHeaders headers, double... x) {
        sendAt(machine, time, time, headers, x);
    }

    /** A reading with event time {@code time} in a record with Kafka timestamp {@code recordTime}. */
    private void sendAt(String machine, long time, long recordTime, RecordHeaders headers, double... x) {
        double[] v = x.length == 0 ? NORMAL : x;
        MachineTelemetry r = MachineTelemetry.newBuilder().setMachineId(machine).setTimestamp(Instant.ofEpochMilli(time)).setMode("NORMAL")
                .setRpm(v[0]).setPowerKw(v[1]).setTemperatureC(v[2]).setVibrationMm(v[3]).setPressureBar(v[4]).setFlowM3h(v[5])
                .setValveOpen(false).build();
        // The Kafka key is not the window key: windows follow the machineId field.
        input.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), serde.serializer().serialize("telemetry", r), headers,
                Instant.ofEpochMilli(recordTime)));
    }

    private List<Double> scores() {
        List<Double> out = new ArrayList<>();
        scores.readValuesToList().forEach(v -> out.add(Double.parseDouble(new String(v, StandardCharsets.UTF_8))));
        return out;
    }

    private List<String> deadLetterReasons() {
        List<String> out = new ArrayList<>();
        deadLetters.readRecordsToList().forEach(r -> out.add(new String(r.headers().lastHeader(DeadLetters.REASON).value(),
                StandardCharsets.UTF_8)));
        return out;
    }

    private List<String> keys() {
        List<String> keys = new ArrayList<>();
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(TopologyNames.WINDOW_STORE);
        try (var all = store.all()) {
            all.forEachRemaining(e -> keys.add(e.key));
        }
        return keys;
    }

    private static double windowScore(double[]... rows) {
        double[] all = new double[rows.length * NORMAL.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, all, i * NORMAL.length, NORMAL.length);
        }
        return TestModels.expectedScore(all);
    }

    private static double[] hot(double rpm) {
        double[] x = NORMAL.clone();
        x[0] = rpm;
        return x;
    }

    @Test
    void shouldScoreAKeyOnceItHasWRecordsThenAtEveryRecordEachKeyApart() {
        start(3, 1, 0, null);
        send("A", T0, hot(1600));
        send("B", T0, hot(1200));
        send("A", T0 + 1000, hot(1700));
        assertThat(scores()).isEmpty();
        assertThat(metrics.count("anomaly.window.held")).isEqualTo(3);

        send("A", T0 + 2000, hot(1800));
        send("A", T0 + 3000, hot(1900));
        send("B", T0 + 1000, hot(1200));
        List<Double> s = scores();
        assertThat(s).hasSize(2);
        assertThat(s.get(0)).isCloseTo(windowScore(hot(1600), hot(1700), hot(1800)), within(1e-4));
        assertThat(s.get(1)).isCloseTo(windowScore(hot(1700), hot(1800), hot(1900)), within(1e-4));
        assertThat(keys()).containsExactly("A", "B");
    }

    @Test
    void shouldAlertWithTheWindowsKeyTimeRangeAndTheTimeStepThatDroveIt() {
        start(3, 1, 0, null);
        send("pump-7", T0);
        send("pump-7", T0 + 60_000);
        double[] spike = NORMAL.clone();
        spike[3] = 30; // vibration, 68 scales off
        send("pump-7", T0 + 120_000, spike);

        List<Alert> out = alerts.readValuesToList().stream().map(v -> alertSerde.deserializer().deserialize("anomaly-alerts", v)).toList();
        assertThat(out).hasSize(1);
        Alert a = out.get(0);
        assertThat(a.getEventKey()).isEqualTo("pump-7");
        assertThat(a.getWindowStart()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(a.getEventTime()).isEqualTo(Instant.ofEpochMilli(T0 + 120_000));
        assertThat(a.getTopFeatures().get(0).getName()).isEqualTo("vibrationMm@0");
        assertThat(a.getTopFeatures().get(0).getObserved()).isEqualTo(30.0);
        assertThat(a.getTopFeatures().get(0).getExpected()).isCloseTo(2.6, within(1e-4));
    }

    @Test
    void shouldDeadLetterALateRecordAndKeepTheWindowAsItWas() {
        start(3, 1, 0, null);
        send("A", T0, hot(1600));
        send("A", T0 + 2000, hot(1700));
        send("A", T0 + 1000, hot(9999)); // before A's latest
        send("A", T0 + 2000, hot(1800)); // the same time as the latest: in arrival order

        assertThat(deadLetterReasons()).containsExactly("LATE_RECORD");
        List<Double> s = scores();
        assertThat(s).hasSize(1);
        assertThat(s.get(0)).isCloseTo(windowScore(hot(1600), hot(1700), hot(1800)), within(1e-4));
    }

    @Test
    void shouldStartTheWindowAfreshAfterAGapLongerThanTheMaximum() {
        start(3, 1, 10_000, null);
        send("A", T0, hot(1600));
        send("A", T0 + 1000, hot(1700));
        send("A", T0 + 60_000, hot(1800)); // a 59 s gap: the window restarts here
        send("A", T0 + 61_000, hot(1900));
        assertThat(scores()).isEmpty();
        assertThat(metrics.count("anomaly.window.resets")).isEqualTo(1);
        send("A", T0 + 62_000, hot(2000));
        List<Double> s = scores();
        assertThat(s).hasSize(1);
        assertThat(s.get(0)).isCloseTo(windowScore(hot(1800), hot(1900), hot(2000)), within(1e-4));
    }

    @Test
    void shouldScoreEveryStrideRecordsOnceTheWindowIsFull() {
        start(3, 2, 0, null);
        for (int i = 0; i < 9; i++) {
            send("A", T0 + i * 1000L, hot(1500 + 10 * i));
        }
        // Windows end at the 3rd, 5th, 7th and 9th record.
        List<Double> s = scores();
        assertThat(s).hasSize(4);
        assertThat(s.get(3)).isCloseTo(windowScore(hot(1560), hot(1570), hot(1580)), within(1e-4));
        assertThat(metrics.count("anomaly.window.held")).isEqualTo(5);
    }

    @Test
    void shouldDropWindowHeadersAProducerSet() {
        start(3, 1, 0, null);
        RecordHeaders forged = new RecordHeaders();
        forged.add(WindowHeaders.ROW, WindowHeaders.rows(new float[18]));
        forged.add(WindowHeaders.REJECT, "LATE_RECORD: forged".getBytes(StandardCharsets.UTF_8));
        send("A", T0, forged, hot(1600));
        assertThat(scores()).isEmpty();
        assertThat(deadLetterReasons()).isEmpty();
        assertThat(metrics.count("anomaly.window.held")).isEqualTo(1);
    }

    @Test
    void shouldPassRecordsThroughWhenTheModelReadsSingleRecords() {
        start(3, 1, 0, TestModels.centreModel("pumps", 1, 10.0));
        send("A", T0, hot(1600));
        List<Double> s = scores();
        assertThat(s).hasSize(1);
        assertThat(s.get(0)).isCloseTo(TestModels.expectedScore(hot(1600)), within(1e-6));
        assertThat(keys()).isEmpty();
    }

    @Test
    void shouldForgetAKeyIdleLongerThanTheExpiry() {
        start(3, 1, 0, null);
        send("A", T0, hot(1600));
        send("A", T0 + 1000, hot(1700));
        send("B", T0 + 2 * 3_600_000L); // stream time moves two hours on: A has been idle longer than the expiry
        send("B", T0 + 2 * 3_600_000L + 120_000); // and a punctuation runs
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(TopologyNames.WINDOW_STORE);
        assertThat(store.get("A")).isNull();
        assertThat(store.get("B")).isNotNull();
        send("A", T0 + 2 * 3_600_000L + 130_000, hot(1800)); // A starts afresh: held, nothing scored
        assertThat(scores()).isEmpty();
    }

    /** Readings replayed months after they were taken: idleness runs on the records' Kafka timestamps, not event times. */
    @Test
    void shouldMeasureIdlenessOnStreamTimeNotOnEventTime() {
        start(3, 1, 0, null);
        long now = T0 + 200L * 24 * 3_600_000; // 200 days after the readings
        for (int i = 0; i < 6; i++) {
            sendAt("A", T0 + i * 1000L, now + i * 120_000L, new RecordHeaders(), hot(1500 + 10 * i)); // a punctuation between each
        }
        assertThat(scores()).hasSize(4);
    }

    /** Made-up keys cannot fill the store: a key too long, or a new key once the task keeps the most, is dead-lettered. */
    @Test
    void shouldDeadLetterAKeyTooLongOrANewKeyBeyondTheMaximum() {
        start(3, 1, 0, null, Map.of(WindowSettings.MAX_KEYS, "2", WindowSettings.MAX_KEY_BYTES, "16"));
        send("x".repeat(17), T0);
        send("A", T0);
        send("B", T0);
        send("C", T0);
        send("A", T0 + 1000);
        assertThat(deadLetterReasons()).containsExactly("WINDOW_KEY_TOO_LONG", "WINDOW_KEYS_FULL");
        assertThat(keys()).containsExactly("A", "B");
        assertThat(metrics.count("anomaly.window.held")).isEqualTo(3);
    }
}
