package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.avro.Feedback;
import dev.anomaly.schemas.avro.ModelEvent;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.release.SigningKey;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.lifecycle.ModelHistory;
import dev.anomaly.trainer.lifecycle.Rollback;
import dev.anomaly.trainer.lifecycle.TopicReader;
import dev.anomaly.trainer.publish.ModelPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code anomaly models list | show | rollback}: the models topic as operators see it. */
@Command(name = "models", mixinStandardHelpOptions = true, sortOptions = false,
        header = "List the model releases and what detectors did with them; show one; roll back to an earlier one.",
        description = {"Reads the models topic (ModelRelease) and the model events topic (what detectors reported: serving,"
                + " rejected with the reason, reverted). States: serving, retired (served before), rejected, reverted, published"
                + " (no detector has reported on it yet).",
                "Exit codes: 0 ok, 2 bad options, 3 no such model or version, 5 Kafka or the schema registry unreachable."},
        subcommands = {ModelsCommand.ListReleases.class, ModelsCommand.Show.class, ModelsCommand.Promote.class, ModelsCommand.RollBack.class})
public final class ModelsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: list, show, promote or rollback");
    }

    /** Where the releases and events are. */
    static final class Topics {
        @Option(names = "--topic", defaultValue = "anomaly-models", description = "Models topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = "--events-topic", defaultValue = "anomaly-model-events", description = "Model events topic (default: ${DEFAULT-VALUE}).")
        String eventsTopic;

        @Option(names = "--feedback-topic", defaultValue = "anomaly-feedback", description = "Operators' verdicts (default: ${DEFAULT-VALUE}).")
        String feedbackTopic;

        @Mixin
        KafkaOptions kafka;

        Map<String, Object> config() {
            return kafka.config("models");
        }

        ModelHistory history() {
            Map<String, Object> config = config();
            SpecificAvroSerde<ModelRelease> releases = new SpecificAvroSerde<>(ModelRelease.class);
            releases.configure(config, false);
            SpecificAvroSerde<ModelEvent> events = new SpecificAvroSerde<>(ModelEvent.class);
            events.configure(config, false);
            List<ModelRelease> r = TopicReader.read(topic, config, releases.deserializer(), Duration.ofSeconds(30));
            List<ModelEvent> e = TopicReader.readIfExists(eventsTopic, config, events.deserializer(), Duration.ofSeconds(30));
            SpecificAvroSerde<Feedback> feedback = new SpecificAvroSerde<>(Feedback.class);
            feedback.configure(config, false);
            List<Feedback> f = TopicReader.readIfExists(feedbackTopic, config, feedback.deserializer(), Duration.ofSeconds(30));
            return ModelHistory.of(r, e, f);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, header = "Every release on the models topic, with its state.")
    static final class ListReleases implements Callable<Integer> {
        @Mixin
        Topics topics;

        @Option(names = "--model-id", description = "Only this model.")
        String modelId;

        @Override
        public Integer call() {
            ModelHistory history = topics.history();
            List<ModelHistory.Entry> entries = modelId == null ? history.entries() : history.of(modelId);
            System.out.printf("%-16s %7s  %-9s %-9s %-20s %-16s %11s  %s%n", "model", "version", "state", "reason", "created",
                    "signed by", "threshold", "note");
            for (ModelHistory.Entry e : entries) {
                ModelRelease r = e.release();
                System.out.printf("%-16s %7d  %-9s %-9s %-20s %-16s %11.5g  %s%n", r.getModelId(), r.getVersion(),
                        e.state().name().toLowerCase(), r.getReason(), r.getCreatedAt().toString().replaceFirst("\\.\\d+Z$", "Z"),
                        e.signer(), r.getThreshold(), e.detail().map(d -> "[" + d + "] ").orElse("") + (r.getNote() == null ? "" : r.getNote()));
            }
            if (entries.isEmpty()) {
                System.err.println("No releases" + (modelId == null ? "" : " of " + modelId) + " on " + topics.topic);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, header = "One release: its metadata, metrics, signature and state.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Topics topics;

        @Option(names = "--model-id", required = true)
        String modelId;

        @Option(names = "--version", description = "Version (default: the latest).")
        Integer version;

        @Override
        public Integer call() {
            ModelHistory history = topics.history();
            int v = version != null ? version : history.latestVersion(modelId);
            ModelHistory.Entry e = history.find(modelId, v).orElseThrow(() ->
                    new dev.anomaly.trainer.data.DataException("no release " + modelId + " v" + v + " on " + topics.topic));
            ModelRelease r = e.release();
            System.out.printf("model      %s v%d (%s)%n", r.getModelId(), r.getVersion(), r.getKind());
            System.out.printf("state      %s%s%n", e.state().name().toLowerCase(), e.detail().map(d -> ": " + d).orElse(""));
            System.out.printf("created    %s%n", r.getCreatedAt());
            System.out.printf("reason     %s%s%n", r.getReason(), r.getNote() == null ? "" : " - " + r.getNote());
            System.out.printf("signed by  %s%n", e.signer());
            System.out.printf("threshold  %.6g%n", r.getThreshold());
            System.out.printf("size       %,d bytes%n", r.getOnnx().remaining());
            ModelHistory.Precision p = history.precision(modelId, v);
            System.out.printf("precision  %s%n", p.judged() == 0 ? "no verdicts yet ('anomaly feedback')"
                    : String.format("%.3f (%d of %d judged alerts were real anomalies)", p.value(), p.truePositives(), p.judged()));
            new java.util.TreeMap<>(r.getMetrics()).forEach((k, val) -> System.out.printf("metric     %-22s %.6g%n", k, val));
            return ExitCodes.OK;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            header = "Serve a version now, without (the rest of) a shadow trial: it is published again as the next version, marked immediate.")
    static final class Promote implements Callable<Integer> {
        @Mixin
        Topics topics;

        @Option(names = "--model-id", required = true)
        String modelId;

        @Option(names = "--version", required = true, description = "The version to serve (e.g. the one in shadow, or one rejected in shadow).")
        int version;

        @Mixin
        SigningOptions signing;

        @Override
        public Integer call() {
            Optional<SigningKey> key = signing.key();
            return publish(topics, Rollback.promote(topics.history(), modelId, version, key), key);
        }
    }

    static int publish(Topics topics, ModelRelease release, Optional<SigningKey> key) {
        var meta = ModelPublisher.publish(release, topics.topic, topics.config());
        System.out.printf("Published %s v%d: %s (%s) to %s-%d@%d%n", release.getModelId(), release.getVersion(), release.getNote(),
                key.map(k -> "signed by key " + k.keyId()).orElse("unsigned"), meta.topic(), meta.partition(), meta.offset());
        return ExitCodes.OK;
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            header = "Publish an earlier version's model again as the next version (versions stay monotonic).")
    static final class RollBack implements Callable<Integer> {
        @Mixin
        Topics topics;

        @Option(names = "--model-id", required = true)
        String modelId;

        @Option(names = "--to", required = true, paramLabel = "VERSION", description = "The version to go back to.")
        int to;

        @Mixin
        SigningOptions signing;

        @Override
        public Integer call() {
            Optional<SigningKey> key = signing.key();
            return publish(topics, Rollback.to(topics.history(), modelId, to, key), key);
        }
    }
}
