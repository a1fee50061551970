package dev.anomaly.detector.scoring;

import dev.anomaly.schemas.avro.Alert;
import dev.anomaly.schemas.avro.FeatureContribution;
import dev.anomaly.schemas.model.ModelMetadata;
import dev.anomaly.schemas.model.ScoreBatch;

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
        List<String> columns = model.featureSpec().columnNames();
        int w = columns.size();
        Integer[] order = new Integer[w];
        for (int j = 0; j < w; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(batch.contribution(row, b), batch.contribution(row, a)));
        List<FeatureContribution> top = new ArrayList<>();
        for (int i = 0; i < Math.min(topFeatures, w); i++) {
            int j = order[i];
            top.add(FeatureContribution.newBuilder()
                    .setName(columns.get(j))
                    .setObserved(features[row * w + j])
                    .setExpected(batch.expected(row, j))
                    .setContribution(batch.contribution(row, j))
                    .build());
        }
        return Alert.newBuilder()
                .setEventKey(keyText(record.key()))
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
                .build();
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
