package dev.anomaly.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Warnings about training data that is readable but probably not what the user meant: a label trained on as a feature
 * (forgotten {@code --label-column}), and columns that never change. Each warning is one line naming the column.
 */
public final class DataChecks {
    private static final Pattern LABEL_NAME = Pattern.compile(
            "(?i)label|labels|target|class|y|is_?anomaly|anomaly|anomalous|outlier|is_?outlier|fraud|is_?fraud|attack|is_?attack|ground_?truth");
    /** A 0/1 column with at most this share of ones looks like an anomaly label. */
    private static final double LABEL_SHARE = 0.2;

    private DataChecks() {
    }

    /**
     * Feature columns that look like an anomaly label: named like one, or holding only 0 and 1 with few ones.
     *
     * @param numeric the columns whose values are numbers a label could be coded in (not one-hot columns)
     */
    public static List<String> labelLikeColumns(Dataset d, Set<String> numeric) {
        List<String> warnings = new ArrayList<>();
        List<String> columns = d.spec().columnNames();
        for (int j = 0; j < columns.size(); j++) {
            String name = columns.get(j);
            if (LABEL_NAME.matcher(name).matches()) {
                warnings.add("column '" + name + "' is named like a label but is used as a feature: if it marks anomalies, pass --label-column "
                        + name);
                continue;
            }
            if (!numeric.contains(name)) {
                continue;
            }
            long ones = 0;
            boolean binary = true;
            for (int i = 0; i < d.rows() && binary; i++) {
                float v = d.get(i, j);
                binary = v == 0f || v == 1f;
                ones += v == 1f ? 1 : 0;
            }
            double share = (double) ones / d.rows();
            if (binary && ones > 0 && share <= LABEL_SHARE && d.rows() >= 20) {
                warnings.add(String.format("column '%s' holds only 0 and 1 (%.1f %% ones), like an anomaly label, and is used as a feature:"
                        + " if it marks anomalies, pass --label-column %s", name, 100 * share, name));
            }
        }
        return warnings;
    }

    /**
     * Feature columns with one value in every row: they carry no information. A categorical feature's
     * {@code =__other__} column is left out: it is zero in training by construction (every value seen is in the vocabulary).
     */
    public static List<String> constantColumns(Dataset d) {
        List<String> warnings = new ArrayList<>();
        List<String> columns = d.spec().columnNames();
        for (int j = 0; j < columns.size(); j++) {
            if (columns.get(j).endsWith("=" + dev.anomaly.schemas.features.Feature.OTHER)) {
                continue;
            }
            float first = d.get(0, j);
            boolean constant = true;
            for (int i = 1; i < d.rows() && constant; i++) {
                constant = d.get(i, j) == first;
            }
            if (constant && d.rows() > 1) {
                warnings.add("column '" + columns.get(j) + "' has the same value (" + first + ") in all " + d.rows()
                        + " rows: it carries no information (a new value later will look anomalous)");
            }
        }
        return warnings;
    }
}
