package dev.anomaly.detector.topology;

import dev.anomaly.detector.ops.Heartbeats;
import dev.anomaly.detector.TestModels;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.AlertEpisode;
import dev.anomaly.schemas.avro.EpisodeState;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.registry.InMemorySchemaRegistry;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DetectorTopologyTest {
    private static final String SCOPE = "detector-topology-test";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<byte[], byte[]> alerts;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private TestOutputTopic<byte[], byte[]> scores;
    private GenericAvroSerde serde;
    private SpecificAvroSerde<Alert> alertSerde;
    private SpecificAvroSerde<AlertEpisode> episodeSerde;
    private TestOutputTopic<byte[], byte[]> episodes;
    private ModelHolder models;
    private DetectorMetrics metrics;
    /** Runs once, inside the next record's decoding: after the processor took the serving model's spec for it. */
    private Runnable duringNextDecode;

    private ExecutorService scoringThread;

    void start(int batchSize) {
        start(batchSize, null);
    }

    void start(int batchSize, ExecutorService scoring) {
        start(batchSize, scoring, TestModels.centreModel("pumps", 1, 10.0), 1024 * 1024);
    }

    void start(int batchSize, ExecutorService scoring, byte[] firstModel, int deadLetterMaxBytes) {
        scoringThread = scoring;
        Map<String, String> raw = new HashMap<>();
        raw.put(DetectorConfig.INPUT_TOPICS, "telemetry");
        raw.put(DetectorConfig.SCORES_TOPIC, "scores");
        raw.put(DetectorConfig.BATCH_SIZE, Integer.toString(batchSize));
        raw.put(DetectorConfig.BATCH_LINGER_MS, "50");
        raw.put("bootstrap.servers", "unused:9092");
        raw.put("schema.registry.url", "mock://" + SCOPE);
        raw.put("detector.drift.enabled", "false");
        raw.put(DetectorConfig.ALLOW_UNSIGNED, "true");
        DetectorConfig config = DetectorConfig.fromMap(raw);
        Map<String, Object> clientConfig = Map.of("schema.registry.url", "mock://" + SCOPE);
        serde = new GenericAvroSerde();
        serde.configure(clientConfig, false);
        alertSerde = new SpecificAvroSerde<>(Alert.class);
        alertSerde.configure(clientConfig, false);
        SpecificAvroSerde<DriftEvent> driftSerde = new SpecificAvroSerde<>(DriftEvent.class);
        driftSerde.configure(clientConfig, false);
        metrics = new DetectorMetrics(new SimpleMeterRegistry());
        models = new ModelHolder();
        models.swap(OnnxScoringModel.load(firstModel, ScoringOptions.cpu()));
        Deserializer<GenericRecord> decode = (topic, data) -> {
            Runnable hook = duringNextDecode;
            duringNextDecode = null;
            if (hook != null) {
                hook.run();
            }
            return serde.deserializer().deserialize(topic, data);
        };
        episodeSerde = new SpecificAvroSerde<>(AlertEpisode.class);
        episodeSerde.configure(clientConfig, false);
        var topology = DetectorTopology.build(config, new DetectorTopology.Parts(models, decode, alertSerde,
                driftSerde.serializer(), episodeSerde.serializer(), metrics, () -> BatchObserver.NONE, Clock.systemUTC(), scoring,
                new DeadLetterLimit(deadLetterMaxBytes), Heartbeats.NONE));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, props);
        input = driver.createInputTopic("telemetry", new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic("anomaly-alerts", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic("anomaly-deadletter", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        scores = driver.createOutputTopic("scores", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        episodes = driver.createOutputTopic("anomaly-episodes", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        if (scoringThread != null) {
            scoringThread.shutdownNow();
        }
        models.close();
        InMemorySchemaRegistry.drop(SCOPE);
    }

    private static MachineTelemetry reading(String id, double rpm, double power, double temp, double vib, double pressure, double flow) {
        return MachineTelemetry.newBuilder().setMachineId(id).setTimestamp(T0).setMode("NORMAL").setRpm(rpm).setPowerKw(power)
                .setTemperatureC(temp).setVibrationMm(vib).setPressureBar(pressure).setFlowM3h(flow).setValveOpen(false).build();
    }

    private byte[] bytes(GenericRecord r) {
        return serde.serializer().serialize("telemetry", r);
    }

    private byte[] key(String k) {
        return new StringSerializer().serialize("telemetry", k);
    }

    private void pipe(String k, GenericRecord r) {
        input.pipeInput(new TestRecord<>(key(k), bytes(r), T0));
    }

    private void pipe(String k, GenericRecord r, Instant at) {
        input.pipeInput(new TestRecord<>(key(k), bytes(r), at));
    }

    private List<AlertEpisode> episodes() {
        return episodes.readRecordsToList().stream().map(r -> episodeSerde.deserializer().deserialize("anomaly-episodes", r.value())).toList();
    }

    @Test
    void shouldFoldAThousandAlertsOfOneKeyIntoOneEpisodeWithItsCountAndPeak() {
        start(1);
        double peak = 0;
        for (int i = 0; i < 1000; i++) { // one a second for 1,000 s: each within the 5 min gap of the one before
            double hot = 5 * (12 + (i * 7919 % 101) / 10.0); // temperature 12 to 22 sd above the centre
            pipe("pump-02", reading("pump-02", 1500, 40, 75 + hot, 2.6, 3.7, 60), T0.plusSeconds(i));
            peak = Math.max(peak, TestModels.expectedScore(1500, 40, 75 + hot, 2.6, 3.7, 60));
            pipe("pump-01", reading("pump-01", 1500, 40, 75, 2.6, 3.7, 60), T0.plusSeconds(i)); // normal: no episode
        }
        assertThat(alerts.readRecordsToList()).hasSize(1000);
        List<AlertEpisode> open = episodes();
        assertThat(open).extracting(e -> e.getState() + " " + e.getAlerts()).containsExactly("OPEN 1", "UPDATE 2", "UPDATE 4",
                "UPDATE 8", "UPDATE 16", "UPDATE 32", "UPDATE 64", "UPDATE 128", "UPDATE 256", "UPDATE 512");

        pipe("pump-01", reading("pump-01", 1500, 40, 75, 2.6, 3.7, 60), T0.plusSeconds(999 + 301)); // stream time passes the gap
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(2));

        List<AlertEpisode> closed = episodes();
        assertThat(closed).hasSize(1);
        AlertEpisode e = closed.get(0);
        assertThat(e.getState()).isEqualTo(EpisodeState.CLOSED);
        assertThat(e.getCloseReason()).isEqualTo("quiet");
        assertThat(e.getEpisodeId()).isEqualTo(open.get(0).getEpisodeId());
        assertThat(e.getEventKey()).isEqualTo("pump-02");
        assertThat(e.getAlerts()).isEqualTo(1000);
        assertThat(e.getPeakScore()).isCloseTo(peak, within(1e-3));
        assertThat(e.getFirstAlertTime()).isEqualTo(T0);
        assertThat(e.getLastAlertTime()).isEqualTo(T0.plusSeconds(999));
        assertThat(e.getTopFeatures().get(0).getName()).isEqualTo("temperatureC");
        assertThat(e.getFeatureCounts()).containsEntry("temperatureC", 1000L);
    }

    @Test
    void shouldStartANewEpisodeWhenAnAlertComesAfterTheGap() {
        start(1);
        pipe("pump-02", reading("pump-02", 1500, 40, 135, 2.6, 3.7, 60), T0);
        pipe("pump-02", reading("pump-02", 1500, 40, 135, 2.6, 3.7, 60), T0.plusSeconds(200));
        pipe("pump-02", reading("pump-02", 1500, 40, 135, 2.6, 3.7, 60), T0.plusSeconds(200 + 301));

        assertThat(episodes()).extracting(e -> e.getState() + " " + e.getAlerts() + (e.getCloseReason() == null ? "" : " " + e.getCloseReason()))
                .containsExactly("OPEN 1", "UPDATE 2", "CLOSED 2 gap", "OPEN 1");
    }

    @Test
    void shouldAlertOnAnAnomalyWithTopFeaturesObservedAndExpected() {
        start(1);
        pipe("pump-01", reading("pump-01", 1500, 40, 75, 2.6, 3.7, 60)); // exactly the centre: score 0
        pipe("pump-02", reading("pump-02", 1500, 40, 75 + 5 * 12, 2.6 + 0.4 * 3, 3.7, 60)); // temp 12 sd, vibration 3 sd

        List<TestRecord<byte[], byte[]>> out = alerts.readRecordsToList();
        assertThat(out).hasSize(1);
        Alert alert = alertSerde.deserializer().deserialize("anomaly-alerts", out.get(0).value());
        assertThat(new String(out.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("pump-02");
        assertThat(alert.getEventKey()).isEqualTo("pump-02");
        assertThat(alert.getScore()).isCloseTo(TestModels.expectedScore(1500, 40, 135, 3.8, 3.7, 60), within(1e-3));
        assertThat(alert.getThreshold()).isEqualTo(10.0);
        assertThat(alert.getModelId()).isEqualTo("pumps");
        assertThat(alert.getModelVersion()).isEqualTo(1);
        assertThat(alert.getSourceTopic()).isEqualTo("telemetry");
        assertThat(alert.getSourceOffset()).isEqualTo(1L);
        assertThat(alert.getEventTime()).isEqualTo(T0);
        assertThat(alert.getTopFeatures()).hasSize(3);
        assertThat(alert.getTopFeatures().get(0).getName()).isEqualTo("temperatureC");
        assertThat(alert.getTopFeatures().get(0).getObserved()).isEqualTo(135.0);
        assertThat(alert.getTopFeatures().get(0).getExpected()).isCloseTo(75.0, within(1e-4));
        assertThat(alert.getTopFeatures().get(0).getContribution()).isCloseTo(144.0 / 6, within(1e-3));
        assertThat(alert.getTopFeatures().get(1).getName()).isEqualTo("vibrationMm");
        assertThat(scores.readRecordsToList()).hasSize(2);
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(metrics.count("anomaly.alerts")).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterEveryKindOfBadRecordUnchangedWithItsReason() {
        start(1);
        InMemorySchemaRegistry.scope(SCOPE).setCompatibility("telemetry-value", "NONE");
        Schema other = SchemaBuilder.record("Other").namespace("t").fields().requiredString("machineId").endRecord();
        GenericRecord wrongSchema = new GenericData.Record(other);
        wrongSchema.put("machineId", "x");
        byte[] good = bytes(reading("p", 1500, 40, 75, 2.6, 3.7, 60));
        byte[] unknownId = good.clone();
        unknownId[1] = 0x7f;
        byte[] garbage = "{\"rpm\": 1}".getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
        cases.put("BAD_MAGIC_BYTE", garbage);
        cases.put("EMPTY", new byte[0]);
        cases.put("UNKNOWN_SCHEMA_ID", unknownId);
        cases.put("TRUNCATED", java.util.Arrays.copyOf(good, good.length - 3));
        cases.put("NOT_FINITE", bytes(reading("p", Double.NaN, 40, 75, 2.6, 3.7, 60)));
        cases.put("MISSING_FIELD", bytes(wrongSchema));
        cases.put("TOMBSTONE", null);
        TestRecord<byte[], byte[]> withHeader = null;
        for (var e : cases.entrySet()) {
            TestRecord<byte[], byte[]> r = new TestRecord<>(key(e.getKey()), e.getValue(), T0);
            r.headers().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
            input.pipeInput(r);
        }

        List<TestRecord<byte[], byte[]>> dlq = deadLetters.readRecordsToList();
        assertThat(dlq).hasSize(cases.size());
        int i = 0;
        for (var e : cases.entrySet()) {
            TestRecord<byte[], byte[]> r = dlq.get(i);
            assertThat(header(r, DeadLetters.REASON)).isEqualTo(e.getKey());
            assertThat(r.value()).isEqualTo(e.getValue());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getKey());
            assertThat(header(r, DeadLetters.SOURCE_TOPIC)).isEqualTo("telemetry");
            assertThat(header(r, DeadLetters.SOURCE_OFFSET)).isEqualTo(Integer.toString(i));
            assertThat(header(r, DeadLetters.MESSAGE)).isNotBlank();
            assertThat(header(r, "trace-id")).isEqualTo("abc");
            i++;
        }
        assertThat(header(dlq.get(4), DeadLetters.MESSAGE)).contains("rpm");
        assertThat(alerts.isEmpty()).isTrue();
        assertThat(scores.isEmpty()).isTrue();
        assertThat(metrics.count("anomaly.deadletter")).isEqualTo(cases.size());
    }

    @Test
    void shouldScoreTheBufferBeforeEveryCommit() {
        // A batch far larger than the input and a linger that never passes: only the commit can score these.
        // The test driver commits after every input record, as a stream thread does at its commit interval.
        start(10_000);
        for (int i = 0; i < 3; i++) {
            pipe("p" + i, reading("p" + i, 1500, 40, 75, 2.6, 3.7, 60));
            assertThat(scores.readRecordsToList()).as("record %d scored at the commit that follows it", i).hasSize(1);
        }
        assertThat(metrics.count("anomaly.records.scored")).isEqualTo(3);
    }

    @ParameterizedTest(name = "batch {0}, on a scoring thread: {1}")
    @CsvSource({"16, false", "1, true"})
    void shouldRouteEveryRecordToExactlyOnePlaceInInputOrder(int batchSize, boolean onScoringThread) {
        // Batch 1 on a scoring thread: every record is handed over when it arrives, and the commit waits for it.
        start(batchSize, onScoringThread ? Executors.newSingleThreadExecutor() : null);
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int good = 0;
        int bad = 0;
        List<String> expectedAlerts = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            if (random.nextDouble() < 0.1) {
                input.pipeInput(new TestRecord<>(key("k" + i), new byte[]{1, 2, 3}, T0));
                bad++;
            } else {
                double temp = 75 + 5 * (random.nextDouble() < 0.05 ? 20 : random.nextGaussian());
                pipe("k" + i, reading("k" + i, 1500, 40, temp, 2.6, 3.7, 60));
                good++;
                if (TestModels.expectedScore(1500, 40, temp, 2.6, 3.7, 60) > 10) {
                    expectedAlerts.add("k" + i);
                }
            }
        }
        driver.advanceWallClockTime(Duration.ofMillis(60));

        assertThat(scores.readRecordsToList()).hasSize(good);
        assertThat(deadLetters.readRecordsToList()).hasSize(bad);
        assertThat(alerts.readValuesToList().stream().map(v -> alertSerde.deserializer().deserialize("anomaly-alerts", v).getEventKey()))
                .containsExactlyElementsOf(expectedAlerts);
        assertThat(expectedAlerts).isNotEmpty();
    }

    @Test
    void shouldNameTheSwappedInModelVersionInAlerts() {
        start(1);
        pipe("a", reading("a", 1500, 40, 150, 2.6, 3.7, 60));
        models.swap(OnnxScoringModel.load(TestModels.centreModel("pumps", 2, 1000.0), ScoringOptions.cpu()));
        pipe("b", reading("b", 1500, 40, 150, 2.6, 3.7, 60)); // same record: below v2's threshold
        models.swap(OnnxScoringModel.load(TestModels.centreModel("pumps", 3, 1.0), ScoringOptions.cpu()));
        pipe("c", reading("c", 1500, 40, 150, 2.6, 3.7, 60));

        List<Alert> out = alerts.readValuesToList().stream().map(v -> alertSerde.deserializer().deserialize("anomaly-alerts", v)).toList();
        assertThat(out).extracting(Alert::getEventKey).containsExactly("a", "c");
        assertThat(out).extracting(Alert::getModelVersion).containsExactly(1, 3);
    }

    @Test
    void shouldExtractABufferedRecordAgainWhenTheModelSwappedInReadsOtherFeatures() {
        start(10_000);
        // The swap lands after the record's row was extracted for v1 and before the batch is scored (at the commit).
        duringNextDecode = () -> models.swap(OnnxScoringModel.load(TestModels.reversedCentreModel("pumps", 2, 10.0), ScoringOptions.cpu()));
        pipe("hot", reading("hot", 1500, 40, 150, 2.6, 3.7, 60));

        List<Alert> out = alerts.readValuesToList().stream().map(v -> alertSerde.deserializer().deserialize("anomaly-alerts", v)).toList();
        // v1's row fed to v2 would put rpm where v2 reads the flow: a score in the thousands instead of 37.5.
        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.getModelVersion()).isEqualTo(2);
            assertThat((double) a.getScore()).isCloseTo(TestModels.expectedScore(1500, 40, 150, 2.6, 3.7, 60), within(1e-3));
            assertThat(a.getTopFeatures().get(0).getName()).isEqualTo("temperatureC");
            assertThat(a.getTopFeatures().get(0).getObserved()).isEqualTo(150f);
        });
    }

    @Test
    void shouldDeadLetterABufferedRecordThatTheModelSwappedInCannotRead() {
        start(10_000);
        FeatureSpec needsAnotherField = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("bearingTempC"));
        duringNextDecode = () -> models.swap(OnnxScoringModel.load(TestModels.centreModel("pumps", 3, 10.0, needsAnotherField,
                new float[]{1500f, 70f}, new float[]{300f, 5f}), ScoringOptions.cpu()));
        pipe("r", reading("r", 1500, 40, 75, 2.6, 3.7, 60));

        assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(header(r, DeadLetters.REASON)).isEqualTo("MISSING_FIELD");
            assertThat(header(r, DeadLetters.MODEL_VERSION)).isEqualTo("3");
        });
        assertThat(scores.readRecordsToList()).isEmpty();
        assertThat(metrics.count("anomaly.records.scored")).isZero();
    }

    @Test
    void shouldDeadLetterTheRecordsAModelCannotScoreAndScoreTheRest() {
        byte[] faulty = dev.anomaly.detector.FaultyModels.throwingOnRowsAbove(TestModels.centreModel("pumps", 1, 10.0), 0, 5_000f);
        start(16, null, dev.anomaly.detector.FaultyModels.nanOnRowsAbove(faulty, 0, 3_000f), 1024 * 1024);
        for (int i = 0; i < 16; i++) {
            double rpm = i == 3 ? 9_000 : i == 9 ? 4_000 : 1500; // row 3: the model throws; row 9: it scores NaN
            pipe("k" + i, reading("k" + i, rpm, 40, 75, 2.6, 3.7, 60));
        }
        List<TestRecord<byte[], byte[]>> dlq = deadLetters.readRecordsToList();
        assertThat(dlq).extracting(r -> header(r, DeadLetters.REASON) + "@" + header(r, DeadLetters.SOURCE_OFFSET))
                .containsExactly("SCORING_FAILED@3", "NOT_FINITE_SCORE@9");
        assertThat(header(dlq.get(0), DeadLetters.MESSAGE)).contains("the model failed on this row");
        assertThat(scores.readRecordsToList()).hasSize(14).allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("0.0"));
        assertThat(alerts.isEmpty()).as("a NaN score is never an alert, nor silently normal").isTrue();
        assertThat(metrics.count("anomaly.deadletter")).isEqualTo(2);
    }

    @Test
    void shouldCutADeadLetterThatWouldNotFitItsTopic() {
        start(1, null, TestModels.centreModel("pumps", 1, 10.0), 8_192);
        byte[] huge = new byte[200_000];
        huge[0] = 0x7b; // not wire format
        TestRecord<byte[], byte[]> r = new TestRecord<>(key("big"), huge, T0);
        r.headers().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
        input.pipeInput(r);
        byte[] small = new byte[]{0x7b, 1, 2};
        input.pipeInput(new TestRecord<>(key("small"), small, T0));

        List<TestRecord<byte[], byte[]>> dlq = deadLetters.readRecordsToList();
        assertThat(dlq).hasSize(2);
        TestRecord<byte[], byte[]> cut = dlq.get(0);
        assertThat(cut.value()).hasSize(DeadLetterRecords.VALUE_PREFIX_BYTES).isEqualTo(java.util.Arrays.copyOf(huge, DeadLetterRecords.VALUE_PREFIX_BYTES));
        assertThat(header(cut, DeadLetters.TRUNCATED)).isEqualTo("value");
        assertThat(header(cut, DeadLetters.ORIGINAL_VALUE_BYTES)).isEqualTo("200000");
        assertThat(header(cut, DeadLetters.REASON)).isEqualTo("BAD_MAGIC_BYTE");
        assertThat(header(cut, "trace-id")).isEqualTo("abc");
        assertThat(DeadLetterRecords.size(cut.key(), cut.value(), cut.headers())).isLessThanOrEqualTo(8_192);
        assertThat(dlq.get(1).value()).isEqualTo(small);
        assertThat(header(dlq.get(1), DeadLetters.TRUNCATED)).isNull();
    }

    private static String header(TestRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
