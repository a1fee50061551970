package dev.anomaly.trainer.retrain;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.schemas.avro.Feedback;
import dev.anomaly.schemas.avro.FeedbackVerdict;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.release.ReleaseSigning;
import dev.anomaly.schemas.avro.ReleaseReason;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.serde.SpecificAvroSerde;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.KafkaTopicData;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.data.TopicRange;
import dev.anomaly.trainer.lifecycle.TopicReader;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.NativeMemory;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.Scaling;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.TrainingConfig;
import dev.anomaly.trainer.publish.ModelPublisher;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Retraining on drift: for a drift event about the served model, read the recent records of the input topic (minus
 * the alerted ones), train a candidate with the current model's spec and settings, validate it, and publish it as the
 * next version. A candidate is published only if it passes its parity check, its alert rate on held-back recent
 * records is near its target, and it flags records pushed beyond the training range. One event causes at most one
 * release: the event id is stored in the release note and checked before retraining, and the drift topic offset is
 * committed only after the event is handled.
 */
public final class RetrainJob {
    private static final Logger log = LoggerFactory.getLogger(RetrainJob.class);

    private final RetrainConfig config;
    private final RetrainPolicy policy;

    public RetrainJob(RetrainConfig config) {
        this.config = config;
        this.policy = RetrainPolicy.of(config);
    }

    /** What became of one event. */
    public record Outcome(boolean published, int version, String reason) {
    }

    /** Consumes the drift topic until {@code stop} says so; returns the outcomes of the events it handled. */
    public List<Outcome> run(java.util.function.BooleanSupplier stop) {
        Map<String, Object> c = new HashMap<>(config.kafka());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        SpecificAvroSerde<DriftEvent> serde = new SpecificAvroSerde<>(DriftEvent.class);
        serde.configure(c, false);
        List<Outcome> outcomes = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.driftTopic()));
            while (!stop.getAsBoolean()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    DriftEvent event;
                    try {
                        event = serde.deserializer().deserialize(r.topic(), r.value());
                    } catch (RuntimeException e) {
                        log.warn("Skipping unreadable drift event at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                        consumer.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
                        continue;
                    }
                    outcomes.add(handleSafely(event));
                    consumer.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
                }
            }
        }
        return outcomes;
    }

    /**
     * Handles one event without letting its failure end the job: a failure is logged and the event passed over (drift
     * that persists raises new events). DL4J's native memory is given back after each event, trained or not.
     */
    Outcome handleSafely(DriftEvent event) {
        try {
            return handle(event);
        } catch (RuntimeException e) {
            log.error("Retraining on drift event {} failed; going on with the next event: {}", event.getEventId(), e.toString(), e);
            return new Outcome(false, -1, "failed: " + e.getMessage());
        } finally {
            NativeMemory.release();
        }
    }

    /** Handles one drift event (or, with {@code event == null}, a scheduled or manual retraining). */
    public Outcome handle(DriftEvent event) {
        RetrainPolicy.Trigger trigger = event == null ? RetrainPolicy.Trigger.manual(config.modelId())
                : new RetrainPolicy.Trigger(Optional.of(event.getEventId()), event.getModelId(), event.getModelVersion());
        if (!trigger.modelId().equals(config.modelId())) {
            return skipped("event is about model " + trigger.modelId()); // decided before reading the models topic
        }
        List<ModelRelease> releases = releases();
        RetrainPolicy.Decision decision = policy.decide(trigger, releases.stream()
                .map(r -> new RetrainPolicy.Release(r.getVersion(), r.getNote())).toList());
        if (decision instanceof RetrainPolicy.Decision.Skip skip) {
            return skipped(skip.reason());
        }
        int currentVersion = ((RetrainPolicy.Decision.Retrain) decision).current().version();
        ModelRelease current = releases.stream().filter(r -> r.getVersion() == currentVersion).findFirst().orElseThrow();
        log.info("Retraining {} (now v{}) on {}", config.modelId(), current.getVersion(), trigger.describe());
        ModelMetadata currentMeta;
        try (OnnxScoringModel m = OnnxScoringModel.load(current.getOnnx().array(), ScoringOptions.cpu())) {
            currentMeta = m.metadata();
        }
        FeatureSpec spec = currentMeta.featureSpec();

        Map<String, Double> alerted = config.excludeAlerted() ? alertedPositions() : Map.of();
        Map<String, Boolean> feedback = feedback();
        TopicRange range = new TopicRange(config.inputTopic(), Optional.empty(), Optional.empty(), OptionalLong.of(config.lastRecords()),
                OptionalInt.of(config.sampleRecords()), config.kafka());
        KafkaTopicData.Read read = KafkaTopicData.readAll(range, Duration.ofMinutes(5), p -> true);
        List<KafkaTopicData.Positioned> recent = new ArrayList<>(read.records());
        log.info("Retraining {} on {} of {}", config.modelId(), read.describe(), range.describe());
        Map<String, Double> alertedRecent = new HashMap<>();
        Map<String, Boolean> feedbackRecent = new HashMap<>();
        for (KafkaTopicData.Positioned p : recent) {
            String position = p.partition() + "@" + p.offset();
            if (alerted.containsKey(position)) {
                alertedRecent.put(position, alerted.get(position));
            }
            if (feedback.containsKey(position)) {
                feedbackRecent.put(position, feedback.get(position));
            }
        }
        int recentCount = recent.size();
        Set<String> leftOut = policy.leaveOut(alertedRecent, feedbackRecent, recentCount);
        recent.removeIf(p -> leftOut.contains(p.partition() + "@" + p.offset()));
        log.info("{} of {} recent records alerted ({}), {} have operators' verdicts; left out {}", alertedRecent.size(), recentCount,
                alertedRecent.size() > config.maxTrimmed() * recentCount ? "a regime shift: kept" : "anomalies: left out",
                feedbackRecent.size(), leftOut.size());
        recent.sort(Comparator.comparingLong(KafkaTopicData.Positioned::timestamp));
        Optional<String> tooFew = policy.tooFew(recent.size());
        if (tooFew.isPresent()) {
            return rejected(trigger.describe(), tooFew.get());
        }
        int cut = RetrainPolicy.heldBackFrom(recent.size());
        Dataset train = RecordData.toDataset(records(recent.subList(0, cut)), spec, Optional.empty(), range.describe() + " (training)");
        Dataset heldBack = RecordData.toDataset(records(recent.subList(cut, recent.size())), spec, Optional.empty(), range.describe() + " (held back)");

        TrainingConfig settings = settingsOf(currentMeta, train);
        int version = current.getVersion() + 1;
        TrainingJob.Outcome candidate;
        try {
            candidate = TrainingJob.run(train, settings, config.modelId(), version, ProgressListener.NONE);
        } catch (RuntimeException e) {
            return rejected(trigger.describe(), "training failed: " + e.getMessage());
        }
        ModelMetadata candidateMeta = candidate.metadata();
        double alertRate = alertRate(TrainingJob.scores(candidate.onnx(), heldBack), candidateMeta);
        double target = candidateMeta.falseAlarmRate();
        double recall = alertRate(TrainingJob.scores(candidate.onnx(), syntheticAnomalies(heldBack, train, new SplittableRandom(version))),
                candidateMeta);
        Optional<String> rejection = policy.reject(alertRate, heldBack.rows(), target, recall);
        if (rejection.isPresent()) {
            return rejected(trigger.describe(), rejection.get());
        }
        ModelRelease release = ModelPublisher.release(candidate.onnx(), event == null ? ReleaseReason.MANUAL : ReleaseReason.DRIFT,
                trigger.describe() + String.format("; held-back alert rate %.4f (target %.4f); synthetic recall %.3f; %s", alertRate, target,
                        recall, candidate.parity()));
        ModelPublisher.publish(config.signingKey().map(k -> ReleaseSigning.sign(release, k)).orElse(release), config.modelsTopic(), config.kafka());
        log.info("Published {} v{} ({}): held-back alert rate {}, synthetic recall {}", config.modelId(), version, trigger.describe(),
                alertRate, recall);
        return new Outcome(true, version, release.getNote());
    }

    /** Share of {@code scores} the model alerts on. */
    private static double alertRate(double[] scores, ModelMetadata model) {
        return Arrays.stream(scores).filter(model::isAlert).count() / (double) scores.length;
    }

    private Outcome skipped(String why) {
        log.info("No retraining: {}", why);
        return new Outcome(false, -1, why);
    }

    private Outcome rejected(String trigger, String why) {
        log.warn("Candidate for {} ({}) rejected, not published: {}", config.modelId(), trigger, why);
        return new Outcome(false, -1, "rejected: " + why);
    }

    /** Copies of held-back rows with one numeric column pushed 2 ranges beyond the training min or max. */
    static Dataset syntheticAnomalies(Dataset heldBack, Dataset train, SplittableRandom random) {
        FeatureSpec spec = train.spec();
        List<Integer> numeric = new ArrayList<>();
        int col = 0;
        for (Feature f : spec.features()) {
            if (f.type() == FeatureType.NUMERIC) {
                numeric.add(col);
            }
            col += f.width();
        }
        int w = train.width();
        float[] min = new float[w];
        float[] max = new float[w];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < train.rows(); i++) {
            for (int j = 0; j < w; j++) {
                min[j] = Math.min(min[j], train.get(i, j));
                max[j] = Math.max(max[j], train.get(i, j));
            }
        }
        int n = Math.min(500, heldBack.rows());
        float[] rows = new float[n * w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(heldBack.values(), random.nextInt(heldBack.rows()) * w, rows, i * w, w);
            int j = numeric.get(random.nextInt(numeric.size()));
            float range = Math.max(max[j] - min[j], 1e-3f);
            rows[i * w + j] = random.nextBoolean() ? max[j] + 2 * range : min[j] - 2 * range;
        }
        return new Dataset(spec, rows, n, Optional.empty(), "synthetic anomalies");
    }

    /** The current model's settings, re-derived for the new data size where they were defaults. */
    static TrainingConfig settingsOf(ModelMetadata current, Dataset train) {
        Map<String, String> h = current.hyperParameters();
        ModelFamily family = ModelFamilies.fromMetadata(current.kind(), h);
        TrainingConfig d = TrainingConfig.defaults(family, train.width(), (int) (train.rows() * 0.8));
        int[] hidden = Optional.ofNullable(h.get("hidden")).map(s -> Arrays.stream(s.replaceAll("[\\[\\] ]", "").split(","))
                .mapToInt(Integer::parseInt).toArray()).orElse(d.hidden());
        return new TrainingConfig(family, hidden,
                Optional.ofNullable(h.get("latent")).map(Integer::parseInt).orElse(d.latent()),
                Optional.ofNullable(h.get("activation")).map(s -> Activation.valueOf(s.toUpperCase())).orElse(d.activation()),
                d.epochs(), d.batchSize(), d.learningRate(), d.weightDecay(), d.validationFraction(), d.patience(), d.seed(),
                Optional.ofNullable(h.get("denoise")).map(Double::parseDouble).orElse(d.denoise()),
                Optional.ofNullable(h.get("scaling")).map(s -> Scaling.valueOf(s.toUpperCase())).orElse(d.scaling()),
                Double.isFinite(current.falseAlarmRate()) ? current.falseAlarmRate() : d.falseAlarmRate(), d.contamination());
    }

    private List<ModelRelease> releases() {
        SpecificAvroSerde<ModelRelease> serde = new SpecificAvroSerde<>(ModelRelease.class);
        serde.configure(config.kafka(), false);
        return read(config.modelsTopic(), serde).stream().filter(r -> r.getModelId().equals(config.modelId())).toList();
    }

    /** Operators' verdicts on records of the input topic, by position: true = a real anomaly (latest verdict wins). */
    private Map<String, Boolean> feedback() {
        if (config.feedbackTopic().isEmpty()) {
            return Map.of();
        }
        SpecificAvroSerde<Feedback> serde = new SpecificAvroSerde<>(Feedback.class);
        serde.configure(config.kafka(), false);
        Map<String, Boolean> out = new HashMap<>();
        for (Feedback f : read(config.feedbackTopic(), serde)) {
            if (f.getSourceTopic().equals(config.inputTopic())) {
                out.put(f.getSourcePartition() + "@" + f.getSourceOffset(), f.getVerdict() == FeedbackVerdict.TRUE_POSITIVE);
            }
        }
        return out;
    }

    /** The serving models' alerts on the input topic: score by position (the highest, if alerted twice). */
    private Map<String, Double> alertedPositions() {
        SpecificAvroSerde<Alert> serde = new SpecificAvroSerde<>(Alert.class);
        serde.configure(config.kafka(), false);
        Map<String, Double> out = new HashMap<>();
        for (Alert a : read(config.alertsTopic(), serde)) {
            if (a.getSourceTopic().equals(config.inputTopic())) {
                out.merge(a.getSourcePartition() + "@" + a.getSourceOffset(), a.getScore(), Math::max);
            }
        }
        return out;
    }

    /** Every readable record of a topic now (none when it does not exist); unreadable ones are counted and skipped. */
    private <T extends org.apache.avro.specific.SpecificRecord> List<T> read(String topic, SpecificAvroSerde<T> serde) {
        return TopicReader.readIfExists(topic, config.kafka(), serde.deserializer(), Duration.ofMinutes(2));
    }

    private static List<GenericRecord> records(List<KafkaTopicData.Positioned> positioned) {
        return positioned.stream().map(KafkaTopicData.Positioned::value).toList();
    }
}
