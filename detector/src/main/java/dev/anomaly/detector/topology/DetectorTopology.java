package dev.anomaly.detector.topology;

import dev.anomaly.detector.ops.Heartbeats;
import dev.anomaly.detector.config.DetectorConfig;
import dev.anomaly.detector.ops.DetectorMetrics;
import dev.anomaly.detector.scoring.BatchScoring;
import dev.anomaly.detector.scoring.ModelHolder;
import dev.anomaly.detector.episodes.EpisodeProcessor;
import dev.anomaly.detector.windows.WindowProcessor;
import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.AlertEpisode;
import dev.anomaly.schemas.avro.DriftEvent;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Builds the detector topology from its configuration, with no I/O: input topics (raw bytes) → the window stage (per-key
 * windows for a windowed model, a pass-through otherwise) → the scoring processor
 * (in-memory micro-batches, scored at the latest before each commit) → sinks for alerts, dead letters, optional scores, and drift events;
 * alerts also feed the episode processor (its store of open episodes → the episodes topic) when episodes are on.
 */
public final class DetectorTopology {
    private DetectorTopology() {
    }

    /**
     * What the topology needs from outside: the model, the serdes, the meters, the drift monitor per task, where full
     * batches are scored ({@code null}: on the stream threads), the dead-letter size limit and the health heartbeats.
     */
    public record Parts(ModelHolder models, Deserializer<GenericRecord> inputDeserializer, Serde<Alert> alerts,
                        Serializer<DriftEvent> driftSerializer, Serializer<AlertEpisode> episodeSerializer, DetectorMetrics metrics,
                        Supplier<BatchObserver> observers, Clock clock, Executor scoring, DeadLetterLimit deadLetterLimit,
                        Heartbeats heartbeats) {
    }

    public static Topology build(DetectorConfig config, Parts parts) {
        TopologyNames names = new TopologyNames(config.alertTopic(), config.deadLetterTopic(), config.scoresTopic().orElse(null),
                config.drift().enabled() ? config.drift().topic() : null, config.episodes().topic().orElse(null));
        BatchSettings batching = new BatchSettings(config.batchSize(), config.guards().batchMaxBytes(), config.linger(),
                config.guards().scoringTimeout(), config.guards().registryWait());
        BatchScoring scoring = new BatchScoring(parts.models(), parts.inputDeserializer(),
                alert -> parts.alerts().serializer().serialize(names.alertTopic(), alert), names.scoresTopic() != null,
                config.topFeatures(), parts.clock());
        DeadLetterRecords deadLetters = new DeadLetterRecords(parts.deadLetterLimit(), parts.clock());
        Topology t = new Topology();
        t.addSource(TopologyNames.SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                config.inputTopics().toArray(String[]::new));
        // The window stage: a pass-through while the model reads single records, per-key windows while it reads windows.
        t.addProcessor(TopologyNames.WINDOWS, () -> new WindowProcessor(TopologyNames.WINDOW_STORE, parts.models(),
                parts.inputDeserializer(), config.windows(), parts.metrics()), TopologyNames.SOURCE);
        t.addStateStore(WindowProcessor.store(TopologyNames.WINDOW_STORE), TopologyNames.WINDOWS);
        t.addProcessor(TopologyNames.PROCESSOR, () -> new ScoringProcessor(TopologyNames.STORE, batching, scoring, deadLetters,
                parts.driftSerializer(), names, parts.metrics(), parts.observers().get(), parts.heartbeats(), parts.clock(),
                parts.scoring()), TopologyNames.WINDOWS);
        t.addStateStore(CommitFlushStore.builder(TopologyNames.STORE), TopologyNames.PROCESSOR);
        t.addSink(names.alertSink(), config.alertTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TopologyNames.PROCESSOR);
        t.addSink(names.deadLetterSink(), config.deadLetterTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TopologyNames.PROCESSOR);
        config.scoresTopic().ifPresent(s ->
                t.addSink(names.scoresSink(), s, new ByteArraySerializer(), new ByteArraySerializer(), TopologyNames.PROCESSOR));
        if (names.episodesTopic() != null) {
            t.addProcessor(TopologyNames.EPISODES, () -> new EpisodeProcessor(TopologyNames.EPISODE_STORE, config.episodes(),
                    parts.alerts().deserializer(), parts.episodeSerializer(), names.alertTopic(), names.episodesSink()), TopologyNames.PROCESSOR);
            t.addStateStore(EpisodeProcessor.store(TopologyNames.EPISODE_STORE), TopologyNames.EPISODES);
            t.addSink(names.episodesSink(), names.episodesTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TopologyNames.EPISODES);
        }
        if (names.driftTopic() != null) {
            t.addSink(names.driftSink(), names.driftTopic(), new ByteArraySerializer(), new ByteArraySerializer(), TopologyNames.PROCESSOR);
        }
        return t;
    }
}
