package dev.anomaly.deploy.bench;

import dev.anomaly.deploy.stack.LocalStack;
import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.example.LabelledReading;
import dev.anomaly.schemas.example.TelemetrySimulator;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Detector throughput on the embedded stack: N telemetry records pre-loaded into a 4-partition topic, then the
 * detector (one stream thread) reads, scores and writes alerts / scores, Avro in and out through the registry.
 * Rate = records / (time of the last scored record - time of the first), sampled from the detector's own counters.
 */
public final class DetectorThroughputBenchmark {
    private DetectorThroughputBenchmark() {
    }

    public static Map<String, Object> run(int records, List<Integer> batchSizes, List<String> guarantees, List<Integer> threadCounts,
                                          java.io.PrintStream log)
            throws IOException, InterruptedException {
        Map<String, Object> out = new LinkedHashMap<>();
        try (LocalStack stack = LocalStack.start()) {
            String input = "bench-telemetry";
            stack.createTopic(input, 4);
            log.printf("Pre-loading %d records ...%n", records);
            preload(stack, input, records);
            byte[] onnx = model();
            Path dir = Files.createTempDirectory("anomaly-bench-");
            Path modelFile = dir.resolve("model.onnx");
            Files.write(modelFile, onnx);
            java.util.Set<String> flagged = flagged(stack, input, onnx);
            log.printf("The model flags %d of %d records (%.2f %%)%n", flagged.size(), records, 100.0 * flagged.size() / records);
            int run = 0;
            for (int threads : threadCounts) {
            for (String guaranteeName : guarantees) {
                String guarantee = guaranteeName;
                String label = guarantee + (threads > 1 ? "/" + threads + "t" : "");
                run++;
                double passThrough = reference(stack, input, "passthrough", guarantee, threads, run, records, flagged, dir, log);
                run++;
                double limit = reference(stack, input, "limit", guarantee, threads, run, records, flagged, dir, log);
                out.put("passthrough." + label + ".records_per_second", passThrough);
                out.put("limit." + label + ".records_per_second", limit);
                double perRecord = Double.NaN;
                double best = 0;
                for (int batch : batchSizes) {
                    run++;
                    String prefix = "bench" + run;
                    stack.createTopic(prefix + "-alerts", 1);
                    stack.createTopic(prefix + "-dlq", 1);
                    stack.createTopic(prefix + "-scores", 4);
                    Map<String, String> raw = new HashMap<>();
                    raw.put("application.id", "bench-detector-" + run);
                    raw.put("bootstrap.servers", stack.bootstrapServers());
                    raw.put("schema.registry.url", stack.schemaRegistryUrl());
                    raw.put("state.dir", dir.resolve("state" + run).toString());
                    raw.put("processing.guarantee", guarantee);
                    raw.put("num.stream.threads", Integer.toString(threads));
                    raw.put("detector.input.topics", input);
                    raw.put("detector.alert.topic", prefix + "-alerts");
                    raw.put("detector.deadletter.topic", prefix + "-dlq");
                    raw.put("detector.models.topic", prefix + "-models-absent");
                    raw.put("detector.model.path", modelFile.toString());
                    raw.put("detector.drift.enabled", "false");
                    raw.put("detector.http.host", "127.0.0.1");
                    raw.put("detector.http.port", "0");
                    raw.put("detector.batch.size", Integer.toString(batch));
                    raw.put("detector.batch.linger.ms", "5");
                    try (DetectorApp app = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE)) {
                        long first = 0;
                        long last = 0;
                        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                        while (System.nanoTime() < deadline) {
                            double done = app.metrics().count("anomaly.records.scored") + app.metrics().count("anomaly.deadletter");
                            long now = System.nanoTime();
                            if (done > 0 && first == 0) {
                                first = now;
                            }
                            if (done >= records) {
                                last = now;
                                break;
                            }
                            Thread.sleep(20); // sampling interval of the measurement, not a wait for a condition
                        }
                        double seconds = (last - first) / 1e9;
                        double rate = records / seconds;
                        String key = "detector." + label + ".batch" + batch + ".records_per_second";
                        out.put(key, rate);
                        out.put("detector." + label + ".batch" + batch + ".alerts", app.metrics().count("anomaly.alerts"));
                        log.printf("%-19s detector batch %5d: %,10.0f records/s (%.1f s)%n", label, batch, rate, seconds);
                        if (batch == 1) {
                            perRecord = rate;
                        }
                        best = Math.max(best, rate);
                    }
                }
                out.put("ratio." + label + ".detector_over_limit", best / limit);
                out.put("ratio." + label + ".detector_over_per_record", best / perRecord);
                log.printf("%-19s best batched / limit = %.2f, best batched / per-record = %.2f%n", label, best / limit, best / perRecord);
            }
            }
        }
        return out;
    }

    /** Positions of the records the model flags, from scoring the whole topic offline. */
    private static java.util.Set<String> flagged(LocalStack stack, String topic, byte[] onnx) {
        java.util.Set<String> out = new java.util.HashSet<>();
        var range = new dev.anomaly.trainer.data.TopicRange(topic, Optional.empty(), Optional.empty(), java.util.OptionalLong.empty(), stack.clientConfig());
        var records = dev.anomaly.trainer.data.KafkaTopicData.read(range, Duration.ofMinutes(5), p -> true);
        try (var model = dev.anomaly.schemas.model.OnnxScoringModel.load(onnx, dev.anomaly.schemas.model.ScoringOptions.cpu())) {
            int w = model.width();
            int batch = 4096;
            float[] rows = new float[batch * w];
            for (int from = 0; from < records.size(); from += batch) {
                int n = Math.min(batch, records.size() - from);
                for (int i = 0; i < n; i++) {
                    model.metadata().featureSpec().extractInto(records.get(from + i).value(), rows, i * w);
                }
                var scores = model.score(rows, n);
                for (int i = 0; i < n; i++) {
                    if (scores.score()[i] > model.metadata().threshold()) {
                        out.add(records.get(from + i).partition() + "@" + records.get(from + i).offset());
                    }
                }
            }
        }
        return out;
    }

    /** Runs a reference topology over the pre-loaded topic; returns records/s. */
    private static double reference(LocalStack stack, String input, String kind, String guarantee, int threads, int run, int records,
                                     java.util.Set<String> flagged, Path dir, java.io.PrintStream log) throws InterruptedException {
        String output = "bench" + run + "-" + kind;
        stack.createTopic(output, kind.equals("passthrough") ? 4 : 1);
        java.util.Properties props = new java.util.Properties();
        props.putAll(stack.clientConfig());
        props.put("application.id", "bench-" + kind + "-" + run);
        props.put("processing.guarantee", guarantee);
        props.put("num.stream.threads", Integer.toString(threads));
        props.put("state.dir", dir.resolve("ref" + run).toString());
        var generic = new dev.anomaly.schemas.serde.GenericAvroSerde();
        generic.configure(stack.clientConfig(), false);
        var alerts = new SpecificAvroSerde<dev.anomaly.schemas.avro.Alert>(dev.anomaly.schemas.avro.Alert.class);
        alerts.configure(stack.clientConfig(), false);
        java.util.concurrent.atomic.LongAdder done = new java.util.concurrent.atomic.LongAdder();
        var topology = kind.equals("passthrough")
                ? ReferenceTopologies.passThrough(input, output, generic.deserializer(), generic.serializer(), done)
                : ReferenceTopologies.noOpLimit(input, output, modelSpec(), flagged, generic.deserializer(), alerts.serializer(), done);
        try (var streams = new org.apache.kafka.streams.KafkaStreams(topology, props)) {
            streams.start();
            long first = 0;
            long last = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (System.nanoTime() < deadline) {
                long now = System.nanoTime();
                long n = done.sum();
                if (n > 0 && first == 0) {
                    first = now;
                }
                if (n >= records) {
                    last = now;
                    break;
                }
                Thread.sleep(20); // sampling interval of the measurement
            }
            double rate = records / ((last - first) / 1e9);
            log.printf("%-19s %-22s %,10.0f records/s%n", guarantee + (threads > 1 ? "/" + threads + "t" : ""),
                    kind.equals("limit") ? "limit (no-op scoring)" : "pass-through", rate);
            return rate;
        }
    }

    private static void preload(LocalStack stack, String topic, int records) {
        Map<String, Object> config = new HashMap<>(stack.clientConfig());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        SpecificAvroSerde<MachineTelemetry> serde = new SpecificAvroSerde<>(MachineTelemetry.class);
        serde.configure(config, false);
        TelemetrySimulator sim = TelemetrySimulator.withDefaults(77);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                MachineTelemetry t = sim.next().reading();
                p.send(new ProducerRecord<>(topic, t.getMachineId().getBytes(StandardCharsets.UTF_8), serde.serializer().serialize(topic, t)));
            }
            p.flush();
        }
    }

    private static FeatureSpec modelSpec() {
        return FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("powerKw"), Feature.numeric("temperatureC"),
                Feature.numeric("vibrationMm"), Feature.numeric("pressureBar"), Feature.numeric("flowM3h"), Feature.bool("valveOpen"),
                Feature.categorical("mode", List.of("IDLE", "NORMAL", "BOOST")));
    }

    private static byte[] model() {
        FeatureSpec spec = modelSpec();
        List<GenericRecord> history = new ArrayList<>();
        for (LabelledReading r : TelemetrySimulator.withDefaults(5).next(4000)) {
            history.add(r.reading());
        }
        Dataset data = RecordData.toDataset(history, spec, Optional.empty(), "bench history");
        return TrainingJob.run(data, TrainingConfig.defaults(ModelKind.AE, data.width(), data.rows()).withEpochs(20), "bench", 1,
                ProgressListener.NONE).onnx();
    }
}
