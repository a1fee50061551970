package dev.anomaly.deploy.bench;

import dev.anomaly.detector.app.DetectorApp;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.topology.BatchObserver;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One measured Streams application of the detector benchmark, in its own JVM so that its CPU time and memory are its
 * own: the detector as shipped, or a reference topology (pass-through, no-op limit). Reports on stdout, one line each:
 * {@code FIRST} when the first record is done, {@code HALF <records> <seconds>} when half of {@code records} are,
 * {@code DONE <records> <seconds>} when all are (seconds since {@code FIRST}), then
 * {@code COUNT <n>} every 100 ms; exits when its stdin closes.
 *
 * <p>Arguments: {@code passthrough|limit|detector <config.properties> <records> <warm-up records>}: with warm-up
 * records, the application first runs under another application id until it has done that many, then is closed, and
 * the measured one starts in the same (now JIT-warm) JVM. The properties are the Streams
 * settings plus, for the detector, its {@code detector.*} keys, and for a reference topology {@code bench.input} (comma-separated),
 * {@code bench.output}, {@code bench.features} and {@code bench.flagged} (a file of {@link BitSet#toByteArray()}).
 */
public final class DetectorBenchWorker {
    private static final long SAMPLE_MS = 5;

    private DetectorBenchWorker() {
    }

    /** A started application and how many records it has finished. */
    private record Running(AutoCloseable app, LongSupplier done) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: DetectorBenchWorker passthrough|limit|detector <config.properties> <records> <warm-up records>");
            System.exit(2);
        }
        String kind = args[0];
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            props.load(in);
        }
        long records = Long.parseLong(args[2]);
        long warmup = Long.parseLong(args[3]);
        Map<String, String> raw = new HashMap<>();
        props.stringPropertyNames().forEach(k -> raw.put(k, props.getProperty(k)));

        if (warmup > 0) {
            // Same code, same input, another consumer group: the measured pass then starts with JIT-compiled code.
            Map<String, String> warm = new HashMap<>(raw);
            warm.put("application.id", raw.get("application.id") + "-warmup");
            Running w = start(kind, warm);
            while (w.done().getAsLong() < warmup) {
                Thread.sleep(SAMPLE_MS);
            }
            w.app().close();
        }
        Running running = start(kind, raw);
        AutoCloseable app = running.app();
        LongSupplier done = running.done();
        Thread stdinWatch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent closes stdin to stop us
                }
            } catch (IOException e) {
                // parent gone: stop as well
            }
            try {
                app.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
            System.exit(0);
        }, "bench-stdin");
        stdinWatch.setDaemon(true);
        stdinWatch.start();

        // Sampling every 5 ms: a timing error under 0.1 % of a pass, and few wake-ups (at 1 ms they took ~10 % of a core).
        long first = 0;
        while (true) {
            long n = done.getAsLong();
            if (n > 0) {
                first = System.nanoTime();
                System.out.println("FIRST");
                break;
            }
            Thread.sleep(SAMPLE_MS);
        }
        boolean half = false;
        while (true) {
            long n = done.getAsLong();
            if (!half && n >= records / 2) {
                System.out.printf("HALF %d %.6f%n", n, (System.nanoTime() - first) / 1e9);
                half = true;
            }
            if (n >= records) {
                System.out.printf("DONE %d %.6f%n", n, (System.nanoTime() - first) / 1e9);
                break;
            }
            Thread.sleep(SAMPLE_MS);
        }
        while (true) {
            System.out.println("COUNT " + done.getAsLong());
            Thread.sleep(100);
        }
    }

    private static Running start(String kind, Map<String, String> raw) throws IOException {
        if (kind.equals("detector")) {
            DetectorApp detector = DetectorApp.start(DetectorConfig.fromMap(raw), () -> BatchObserver.NONE);
            return new Running(detector, detector.metrics()::recordsRouted);
        }
        LongAdder counter = new LongAdder();
        KafkaStreams streams = new KafkaStreams(reference(kind, raw, counter), streamsProperties(raw));
        streams.start();
        return new Running(streams, counter::sum);
    }

    private static Topology reference(String kind, Map<String, String> raw, LongAdder counter) throws IOException {
        Map<String, Object> client = new HashMap<>(raw);
        GenericAvroSerde generic = new GenericAvroSerde();
        generic.configure(client, false);
        String[] input = raw.get("bench.input").split(",");
        String output = raw.get("bench.output");
        return switch (kind) {
            case "passthrough" -> ReferenceTopologies.passThrough(input, output, generic.deserializer(), generic.serializer(), counter);
            case "limit" -> {
                SpecificAvroSerde<Alert> alerts = new SpecificAvroSerde<>(Alert.class);
                alerts.configure(client, false);
                BitSet flagged = BitSet.valueOf(Files.readAllBytes(Path.of(raw.get("bench.flagged"))));
                yield ReferenceTopologies.noOpLimit(input, output, SyntheticReadings.spec(Integer.parseInt(raw.get("bench.features"))),
                        flagged, generic.deserializer(), alerts.serializer(), counter);
            }
            default -> throw new IllegalArgumentException("Unknown kind " + kind + " (passthrough, limit or detector)");
        };
    }

    private static Properties streamsProperties(Map<String, String> raw) {
        Properties p = new Properties();
        raw.forEach((k, v) -> {
            if (!k.startsWith("bench.")) {
                p.put(k, v);
            }
        });
        return p;
    }
}
