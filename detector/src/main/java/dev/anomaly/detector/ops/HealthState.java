package dev.anomaly.detector.ops;


import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@code /health} reports, gathered from the parts that know: the stream threads and scoring calls (through
 * {@link Heartbeats}), the probes of the broker and the schema registry, the models-topic watcher, and the application's
 * own phase. Kept apart from the HTTP server and from Kafka Streams so the rules can be read, and tested, in one place:
 *
 * <ul>
 *   <li><b>live</b> (the process should keep running): not failed, no model call stuck for longer than the scoring
 *       timeout, and the models watcher (when one runs) alive and polling;</li>
 *   <li><b>ready</b> (it is doing its job): live, Kafka Streams running, a model serving, broker and registry
 *       reachable, and no stream thread with tasks silent for longer than the stall timeout.</li>
 * </ul>
 */
public final class HealthState implements Heartbeats {
    /** The application's own phase, set by the runner. */
    public enum Phase { STARTING, WAITING_FOR_MODEL, RUNNING, FAILED, STOPPED }

    private final Clock clock;
    private final Duration scoringTimeout;
    private final Duration stallTimeout;
    private volatile Phase phase = Phase.STARTING;
    private volatile String streamsState = "CREATED";
    private volatile String model = "none";
    private volatile boolean modelServing;
    private volatile String brokerProblem = "not checked yet";
    private volatile String registryProblem = "not checked yet";
    private volatile String watcherProblem;
    private volatile boolean watcherRunning;
    private final AtomicLong watcherBeat = new AtomicLong();
    private final Map<String, Long> threadTicks = new ConcurrentHashMap<>();
    private volatile Set<String> threadsWithTasks = Set.of();
    private final Map<Long, Long> scoringCalls = new ConcurrentHashMap<>();
    private final AtomicLong scoringTokens = new AtomicLong();

    public HealthState(Clock clock, Duration scoringTimeout, Duration stallTimeout) {
        this.clock = clock;
        this.scoringTimeout = scoringTimeout;
        this.stallTimeout = stallTimeout;
    }

    /** What health reports. */
    public record Health(boolean live, boolean ready, String detail) {
    }

    public void phase(Phase phase) {
        this.phase = phase;
    }

    public Phase phase() {
        return phase;
    }

    public void streamsState(String state) {
        this.streamsState = state;
    }

    public void model(String description, boolean serving) {
        this.model = description;
        this.modelServing = serving;
    }

    /** The broker answered (null) or did not (what went wrong). */
    public void broker(String problem) {
        this.brokerProblem = problem;
    }

    /** The registry answered (null) or cannot be used now (what went wrong). */
    public void registry(String problem) {
        this.registryProblem = problem;
    }

    public void watcherStarted() {
        watcherRunning = true;
        watcherBeat.set(clock.millis());
    }

    public void watcherBeat() {
        watcherBeat.set(clock.millis());
    }

    /** The models watcher stopped for good (null: on purpose, at shutdown). */
    public void watcherStopped(String problem) {
        watcherRunning = false;
        watcherProblem = problem;
    }

    /** Names of the stream threads that have active tasks (those expected to tick); a new one is timed from now. */
    public void threadsWithTasks(Set<String> names) {
        long now = clock.millis();
        for (String name : names) {
            if (!threadsWithTasks.contains(name)) {
                threadTicks.merge(name, now, Math::max);
            }
        }
        this.threadsWithTasks = Set.copyOf(names);
    }

    @Override
    public void registryWait(String problem) {
        if (problem != null) {
            registryProblem = problem;
        }
    }

    @Override
    public void streamThreadTick(long nowMs) {
        threadTicks.put(Thread.currentThread().getName(), clock.millis());
    }

    @Override
    public long scoringStarted() {
        long token = scoringTokens.incrementAndGet();
        scoringCalls.put(token, clock.millis());
        return token;
    }

    @Override
    public void scoringFinished(long token) {
        scoringCalls.remove(token);
    }

    public Health evaluate() {
        long now = clock.millis();
        List<String> notLive = new ArrayList<>();
        List<String> notReady = new ArrayList<>();
        if (phase == Phase.FAILED || phase == Phase.STOPPED) {
            notLive.add("detector " + phase.name().toLowerCase());
        }
        for (long started : scoringCalls.values()) {
            if (now - started > scoringTimeout.toMillis()) {
                notLive.add("a model call has run for " + (now - started) + " ms (stuck)");
                break;
            }
        }
        if (watcherProblem != null) {
            notLive.add("models watcher stopped: " + watcherProblem);
        } else if (watcherRunning && now - watcherBeat.get() > Math.max(60_000, stallTimeout.toMillis())) {
            notLive.add("models watcher silent for " + (now - watcherBeat.get()) + " ms");
        }
        if (phase == Phase.STARTING) {
            notReady.add("starting");
        }
        if (!modelServing) {
            notReady.add("no model serving (" + model + ")");
        }
        if (!"RUNNING".equals(streamsState)) {
            notReady.add("streams " + streamsState);
        }
        if (brokerProblem != null) {
            notReady.add("broker: " + brokerProblem);
        }
        if (registryProblem != null) {
            notReady.add("schema registry: " + registryProblem);
        }
        for (String thread : threadsWithTasks) {
            Long last = threadTicks.get(thread);
            if (last != null && now - last > stallTimeout.toMillis() && "RUNNING".equals(streamsState)) {
                notReady.add("stream thread " + thread + " stalled for " + (now - last) + " ms");
            }
        }
        boolean live = notLive.isEmpty();
        boolean ready = live && notReady.isEmpty();
        List<String> problems = new ArrayList<>(notLive);
        problems.addAll(notReady);
        String detail = "streams " + streamsState + ", model " + model + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
        return new Health(live, ready, detail);
    }
}
