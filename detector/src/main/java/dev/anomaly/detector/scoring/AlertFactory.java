package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.FeatureContribution;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Builds the {@link Alert} of a scored record: the score, the threshold, and the top contributing features. */
public final class AlertFactory {
    private AlertFactory() {
    }

    public static Alert alert(PendingRecord record, float[] features, ScoreBatch batch, int row, ModelMetadata model,
                              int topFeatures, Instant now) {
        FeatureSpec spec = model.featureSpec();
        int w = batch.columns();
        int k = Math.min(topFeatures, w);
        // Top k by contribution, ties to the lower column: k passes over w columns (k is a handful), no sorting or boxing.
        boolean[] taken = new boolean[w];
        List<FeatureContribution> top = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int best = -1;
            for (int j = 0; j < w; j++) {
                if (!taken[j] && (best < 0 || batch.contribution(row, j) > batch.contribution(row, best))) {
                    best = j;
                }
            }
            taken[best] = true;
            top.add(FeatureContribution.newBuilder()
                    .setName(spec.columnName(best))
                    .setObserved(features[row * w + best])
                    .setExpected(batch.expected(row, best))
                    .setContribution(batch.contribution(row, best))
                    .build());
        }
        return Alert.newBuilder()
                .setEventKey(windowKey(record))
                .setSourceTopic(record.topic())
                .setSourcePartition(record.partition())
                .setSourceOffset(record.offset())
                .setEventTime(Instant.ofEpochMilli(record.timestamp()))
                .setDetectedAt(now)
                .setModelId(model.modelId())
                .setModelVersion(model.version())
                .setModelKind(model.kind())
                .setScore(batch.score()[row])
                .setThreshold(model.threshold())
                .setTopFeatures(top)
                .setWindowStart(windowStart(record))
                .build();
    }

    /** The window's key for a window, else the record's key as text. */
    private static String windowKey(PendingRecord record) {
        byte[] key = WindowHeaders.get(record, WindowHeaders.KEY);
        return key != null ? new String(key, StandardCharsets.UTF_8) : keyText(record.key());
    }

    private static java.time.Instant windowStart(PendingRecord record) {
        byte[] start = WindowHeaders.get(record, WindowHeaders.START);
        return start == null ? null : java.time.Instant.ofEpochMilli(WindowHeaders.readTime(start));
    }

    /** UTF-8 text when the key is valid UTF-8, hex otherwise; null without a key. */
    static String keyText(byte[] key) {
        if (key == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            return "0x" + HexFormat.of().formatHex(key);
        }
    }
}
