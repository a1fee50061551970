package dev.anomaly.detector.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The detector's own meters (Prometheus names in brackets). */
public final class DetectorMetrics {
    private final MeterRegistry registry;
    private final Counter recordsIn;
    private final Counter scored;
    private final Counter alerts;
    private final DistributionSummary batchSize;
    private final Timer scoringTime;
    private final Timer endToEnd;
    private final Counter modelSwaps;
    private final Counter modelRejections;
    private final Counter modelReverts;
    private final Counter driftEvents;
    private final AtomicLong modelVersion = new AtomicLong(-1);
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> driftGauges = new ConcurrentHashMap<>();
    private final LongAdder routed = new LongAdder();
    private final Counter windowHeld;
    private final Counter windowResets;
    private final Map<String, long[]> windowStores = new ConcurrentHashMap<>();

    public DetectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        recordsIn = Counter.builder("anomaly.records.in").description("Input records received").register(registry);
        scored = Counter.builder("anomaly.records.scored").description("Records scored").register(registry);
        alerts = Counter.builder("anomaly.alerts").description("Alerts written").register(registry);
        batchSize = DistributionSummary.builder("anomaly.batch.size").description("Records per ONNX Runtime call")
                .publishPercentiles(0.5, 0.99).register(registry);
        scoringTime = Timer.builder("anomaly.scoring.time").description("Time per ONNX Runtime call")
                .publishPercentiles(0.5, 0.99).register(registry);
        endToEnd = Timer.builder("anomaly.end.to.end.latency").description("Record timestamp to scored")
                .publishPercentiles(0.5, 0.99).register(registry);
        modelSwaps = Counter.builder("anomaly.model.swaps").description("Model versions swapped in").register(registry);
        modelRejections = Counter.builder("anomaly.model.rejections").description("Model releases rejected").register(registry);
        modelReverts = Counter.builder("anomaly.model.reverts").description("Models that failed on live data during probation and were replaced by the previous one")
                .register(registry);
        driftEvents = Counter.builder("anomaly.drift.events").description("Drift events emitted").register(registry);
        registry.gauge("anomaly.model.version", modelVersion);
        windowHeld = Counter.builder("anomaly.window.held").description("Records kept in their key's window without a window to score yet")
                .register(registry);
        windowResets = Counter.builder("anomaly.window.resets").description("Windows started afresh after a gap longer than detector.windows.max.gap.ms")
                .register(registry);
        registry.gauge("anomaly.window.keys", windowStores, m -> m.values().stream().mapToLong(a -> a[0]).sum());
        registry.gauge("anomaly.window.store.bytes", windowStores, m -> m.values().stream().mapToLong(a -> a[1]).sum());
    }

    /** A record went into its key's window without completing one to score (it is counted as routed: it is done). */
    public void windowHeld() {
        windowHeld.increment();
        routed.increment();
    }

    public void windowReset() {
        windowResets.increment();
    }

    /** One task's window store: keys and bytes (values), for the gauges summed over tasks. */
    public void windowStore(String task, long keys, long bytes) {
        if (keys == 0) {
            windowStores.remove(task);
        } else {
            windowStores.put(task, new long[]{keys, bytes});
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** {@code n} more input records received (counted by the caller and added in bulk: a shared counter per record is contended). */
    public void recordsIn(long n) {
        if (n > 0) {
            recordsIn.increment(n);
        }
    }

    public void scored(int n) {
        scored.increment(n);
        routed.add(n);
    }

    public void alert() {
        alerts.increment();
    }

    public void deadLetter(String reason) {
        deadLetters.computeIfAbsent(reason, r -> Counter.builder("anomaly.deadletter").description("Records sent to the dead-letter topic")
                .tag("reason", r).register(registry)).increment();
        routed.increment();
    }

    public void batch(int size, long nanos) {
        batchSize.record(size);
        scoringTime.record(Duration.ofNanos(nanos));
    }

    public void endToEnd(long millis) {
        endToEnd.record(Duration.ofMillis(Math.max(0, millis)));
    }

    public void modelSwapped(int version) {
        modelVersion.set(version);
        modelSwaps.increment();
    }

    public void modelRejected() {
        modelRejections.increment();
    }

    public void modelReverted() {
        modelReverts.increment();
    }

    public void driftEvent() {
        driftEvents.increment();
    }

    /** Latest drift statistic of one distribution, as a gauge scaled by 1e6 (Micrometer gauges read a number). */
    public void driftStatistic(String statistic, String name, double value) {
        AtomicLong g = driftGauges.computeIfAbsent(statistic + "|" + name, k -> registry.gauge("anomaly.drift." + statistic,
                io.micrometer.core.instrument.Tags.of("name", name), new AtomicLong(), a -> a.get() / 1e6));
        g.set(Math.round(value * 1e6));
    }

    /** Records scored or dead-lettered so far: a cheap progress reading (no meter lookup), e.g. for benchmarks. */
    public long recordsRouted() {
        return routed.sum();
    }

    public double count(String name) {
        var c = registry.find(name).counters();
        return c.stream().mapToDouble(Counter::count).sum();
    }
}
