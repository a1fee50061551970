package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.features.FeatureExtractionException;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.BatchScorer;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.schemas.serde.WireFormatException;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The work on one batch of raw input records, with no Kafka in it: decode each record, extract the features the serving
 * model reads, score them, and build and serialize the alerts. Thread-safe: it runs on the scoring threads or on a
 * stream thread.
 *
 * <p>A batch is read for the features of the model serving when it is scored. If a model with a different spec is
 * swapped in (or back) between reading and scoring, the batch is read again for that model, so rows always match the
 * model that scores them. Records that cannot be read, and rows the model cannot score, come back as rejections;
 * only an unreachable schema registry is not the record's fault, and fails the batch.
 */
public final class BatchScoring {
    private final ModelHolder models;
    private final Deserializer<GenericRecord> deserializer;
    private final Function<Alert, byte[]> alertSerializer;
    private final boolean withScores;
    private final int topFeatures;
    private final Clock clock;

    /**
     * @param deserializer    decodes input values; called from the scoring threads too, so it must be thread-safe
     *                        (as serdes shared by several stream threads already are)
     * @param alertSerializer serializes an alert for the alert topic
     * @param withScores      whether to prepare each scored record's score text (for a scores topic)
     */
    public BatchScoring(ModelHolder models, Deserializer<GenericRecord> deserializer, Function<Alert, byte[]> alertSerializer,
                        boolean withScores, int topFeatures, Clock clock) {
        this.models = models;
        this.deserializer = deserializer;
        this.alertSerializer = alertSerializer;
        this.withScores = withScores;
        this.topFeatures = topFeatures;
        this.clock = clock;
    }

    /** The records of a batch read for one model: those it can score with their feature rows (row i: record i), and the rest. */
    private record Extraction(List<PendingRecord> records, float[] rows, List<Rejection> rejected) {
    }

    /**
     * Reads {@code records} for the serving model and scores them, then builds and serializes their alerts and score
     * texts.
     *
     * @throws WireFormatException with reason {@code REGISTRY_UNAVAILABLE}: retry the batch later
     */
    public BatchOutcome score(List<PendingRecord> records) {
        ModelMetadata serving = models.serving();
        Extraction read = extract(records, serving);
        long start = System.nanoTime();
        ModelHolder.Scored result = models.scoreRows(serving.featureSpec(), read.rows(), read.records().size());
        if (result == null) { // a model reading other features was swapped in meanwhile: read the batch again for it
            Extraction[] again = new Extraction[1];
            result = models.score(model -> {
                again[0] = extract(records, model);
                return new ModelHolder.Extracted(again[0].rows(), again[0].records().size());
            });
            read = again[0];
        }
        long nanos = System.nanoTime() - start;
        if (!result.faults().isEmpty()) {
            return prepare(withoutFaults(read, result), nanos);
        }
        return prepare(read, result, nanos);
    }

    /** Moves the rows the model could not score from the scored records to the rejected ones. */
    private static Faultless withoutFaults(Extraction read, ModelHolder.Scored result) {
        Set<Integer> bad = new HashSet<>();
        List<Rejection> rejected = new ArrayList<>(read.rejected());
        for (BatchScorer.Fault f : result.faults()) {
            bad.add(f.row());
            rejected.add(new Rejection(read.records().get(f.row()), f.reason(), f.message(), result.model().version()));
        }
        ScoreBatch b = result.batch();
        int w = b.columns();
        int n = b.rows() - bad.size();
        float[] score = new float[n];
        float[] expected = new float[n * w];
        float[] contribution = new float[n * w];
        float[] features = new float[n * w];
        List<PendingRecord> kept = new ArrayList<>(n);
        int k = 0;
        for (int i = 0; i < b.rows(); i++) {
            if (bad.contains(i)) {
                continue;
            }
            kept.add(read.records().get(i));
            score[k] = b.score()[i];
            System.arraycopy(b.expected(), i * w, expected, k * w, w);
            System.arraycopy(b.contribution(), i * w, contribution, k * w, w);
            System.arraycopy(result.features(), i * w, features, k * w, w);
            k++;
        }
        return new Faultless(new Extraction(kept, features, rejected),
                new ModelHolder.Scored(new ScoreBatch(n, w, score, expected, contribution), result.model(), features));
    }

    private record Faultless(Extraction read, ModelHolder.Scored result) {
    }

    private BatchOutcome prepare(Faultless f, long nanos) {
        return prepare(f.read(), f.result(), nanos);
    }

    /** Builds and serializes the alerts and score texts of a scored batch. */
    private BatchOutcome prepare(Extraction read, ModelHolder.Scored result, long nanos) {
        List<PendingRecord> records = read.records();
        int n = result.batch().rows();
        ModelMetadata model = result.model();
        byte[][] alerts = new byte[n][];
        byte[][] scores = withScores ? new byte[n][] : null;
        Instant now = Instant.ofEpochMilli(clock.millis());
        for (int i = 0; i < n; i++) {
            float score = result.batch().score()[i];
            if (model.isAlert(score)) {
                Alert alert = AlertFactory.alert(records.get(i), result.features(), result.batch(), i, model, topFeatures, now);
                alerts[i] = alertSerializer.apply(alert);
            }
            if (scores != null) {
                scores[i] = Float.toString(score).getBytes(StandardCharsets.UTF_8);
            }
        }
        return new BatchOutcome(records, result, alerts, scores, read.rejected(), nanos);
    }

    /** Decodes {@code records} and extracts the features {@code model} reads; those that cannot be read are set aside. */
    private Extraction extract(List<PendingRecord> records, ModelMetadata model) {
        FeatureSpec spec = model.featureSpec();
        int width = spec.width();
        float[] rows = new float[records.size() * width];
        List<PendingRecord> good = null; // the records themselves while none is rejected
        List<Rejection> rejected = List.of();
        int n = 0;
        for (int i = 0; i < records.size(); i++) {
            PendingRecord p = records.get(i);
            Rejection r = extractInto(p, spec, model.version(), rows, n * width);
            if (r == null) {
                n++;
                if (good != null) {
                    good.add(p);
                }
            } else {
                if (good == null) {
                    good = new ArrayList<>(records.subList(0, i));
                    rejected = new ArrayList<>();
                }
                rejected.add(r);
            }
        }
        return new Extraction(good == null ? records : good, rows, rejected);
    }

    /** Decodes {@code p} and writes its feature row at {@code offset}; says why not if it cannot (null if it could). */
    private Rejection extractInto(PendingRecord p, FeatureSpec spec, int modelVersion, float[] out, int offset) {
        try {
            if (p.value() == null) {
                return new Rejection(p, "TOMBSTONE", "record has no value", modelVersion);
            }
            byte[] reject = WindowHeaders.get(p, WindowHeaders.REJECT);
            if (reject != null) {
                String text = new String(reject, StandardCharsets.UTF_8);
                int colon = text.indexOf(": ");
                return new Rejection(p, colon > 0 ? text.substring(0, colon) : "WINDOW", colon > 0 ? text.substring(colon + 2) : text, modelVersion);
            }
            if (spec.window() != null) {
                byte[] rows = WindowHeaders.get(p, WindowHeaders.ROW);
                if (rows == null) {
                    return new Rejection(p, "NOT_WINDOWED", "the model scores windows of " + spec.window().size() + " records per "
                            + spec.window().key() + " and this record reached it without one (a model with windows swapped in)", modelVersion);
                }
                if (!WindowHeaders.readRows(rows, out, offset, spec.width())) {
                    return new Rejection(p, "WINDOW_MISMATCH", "the window has " + rows.length / 4 + " values, the model reads "
                            + spec.width() + " (a model with another window swapped in)", modelVersion);
                }
                return null;
            }
            spec.extractInto(deserializer.deserialize(p.topic(), p.value()), out, offset);
            return null;
        } catch (WireFormatException e) {
            if (e.reason() == WireFormatException.Reason.REGISTRY_UNAVAILABLE) {
                throw e; // not the record's fault: fail the task, retry from the last commit
            }
            return new Rejection(p, e.reason().name(), e.getMessage(), modelVersion);
        } catch (FeatureExtractionException e) {
            return new Rejection(p, e.reason().name(), e.getMessage(), modelVersion);
        } catch (RuntimeException | StackOverflowError e) {
            return new Rejection(p, "UNREADABLE", e.toString(), modelVersion);
        }
    }
}
