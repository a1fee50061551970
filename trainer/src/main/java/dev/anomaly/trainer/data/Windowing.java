package dev.anomaly.trainer.data;

import dev.anomaly.schemas.features.FeatureExtractionException;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.WindowSpec;
import org.apache.avro.generic.GenericRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Records as a windowed model's training rows: grouped by the window's key field, ordered by its time field, and each
 * run of W consecutive records of one key (every S records, the first ending at the key's W-th) flattened oldest first,
 * as the detector's window stage builds them. A window's label is its latest record's.
 */
public final class Windowing {
    private Windowing() {
    }

    private record Row(long time, int order, float[] values, int label) {
    }

    public static Dataset windows(List<GenericRecord> records, FeatureSpec rowSpec, WindowSpec window, Optional<String> labelField,
                                  String source) {
        int f = rowSpec.rowWidth();
        Map<String, List<Row>> byKey = new LinkedHashMap<>();
        int skipped = 0;
        String firstProblem = null;
        for (int i = 0; i < records.size(); i++) {
            GenericRecord r = records.get(i);
            try {
                String key = window.keyOf(r);
                Long time = window.timeOf(r);
                if (key == null || time == null) {
                    throw new DataException("record " + i + ": no key at " + window.key() + " or no long time at " + window.time());
                }
                float[] row = new float[f];
                rowSpec.extractInto(r, row, 0);
                int label = labelField.map(l -> RecordData.label(r, l)).orElse(0);
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(new Row(time, i, row, label));
            } catch (FeatureExtractionException | DataException e) {
                skipped++;
                firstProblem = firstProblem == null ? e.getMessage() : firstProblem;
            }
        }
        if (skipped * 2 > records.size()) {
            throw new DataException(source + ": " + skipped + " of " + records.size() + " records cannot be windowed; first problem: " + firstProblem);
        }
        int w = window.size();
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (List<Row> series : byKey.values()) {
            series.sort(Comparator.comparingLong(Row::time).thenComparingInt(Row::order));
            for (int end = w - 1; end < series.size(); end += window.stride()) {
                float[] x = new float[w * f];
                for (int step = 0; step < w; step++) {
                    System.arraycopy(series.get(end - w + 1 + step).values(), 0, x, step * f, f);
                }
                rows.add(x);
                labels.add(series.get(end).label());
            }
        }
        if (rows.isEmpty()) {
            throw new DataException(source + ": no key has " + w + " records, so there is no window to train on ("
                    + byKey.size() + " keys)");
        }
        FeatureSpec spec = rowSpec.withWindow(window);
        float[] values = new float[rows.size() * spec.width()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, values, i * spec.width(), spec.width());
        }
        Optional<int[]> y = labelField.map(l -> labels.stream().mapToInt(Integer::intValue).toArray());
        return new Dataset(spec, values, rows.size(), y, source + String.format(" (%,d windows of %d over %,d keys)", rows.size(), w, byKey.size()));
    }
}
