package dev.anomaly.trainer.data;

import dev.anomaly.schemas.features.FeatureExtractionException;
import dev.anomaly.schemas.features.FeatureSpec;
import org.apache.avro.generic.GenericRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns Avro records into a {@link Dataset} through a {@link FeatureSpec}, counting the records it cannot use. */
public final class RecordData {
    private static final Logger log = LoggerFactory.getLogger(RecordData.class);

    private RecordData() {
    }

    /**
     * @param labelField boolean or 0/1 numeric field giving the ground truth, if any
     * @throws DataException when no record is usable, or most are not
     */
    public static Dataset toDataset(List<GenericRecord> records, FeatureSpec spec, Optional<String> labelField, String source) {
        int w = spec.width();
        float[] values = new float[records.size() * w];
        int[] labels = labelField.isPresent() ? new int[records.size()] : null;
        Map<FeatureExtractionException.Reason, Integer> skipped = new EnumMap<>(FeatureExtractionException.Reason.class);
        String firstProblem = null;
        int rows = 0;
        for (GenericRecord r : records) {
            try {
                spec.extractInto(r, values, rows * w);
                if (labels != null) {
                    labels[rows] = label(r, labelField.get());
                }
                rows++;
            } catch (FeatureExtractionException e) {
                skipped.merge(e.reason(), 1, Integer::sum);
                if (firstProblem == null) {
                    firstProblem = e.getMessage();
                }
            }
        }
        int bad = records.size() - rows;
        if (rows == 0) {
            throw new DataException(source + ": no usable records" + (firstProblem == null ? " (empty)" : "; first problem: " + firstProblem));
        }
        if (bad > 0) {
            log.warn("{}: skipped {} of {} records that cannot be extracted {}; first: {}", source, bad, records.size(), skipped, firstProblem);
            if (bad * 2 > records.size()) {
                throw new DataException(source + ": " + bad + " of " + records.size() + " records cannot be extracted " + skipped
                        + "; first problem: " + firstProblem);
            }
        }
        return new Dataset(spec, java.util.Arrays.copyOf(values, rows * w), rows,
                labels == null ? Optional.empty() : Optional.of(java.util.Arrays.copyOf(labels, rows)), source);
    }

    /** The 0/1 label of a record from its boolean or 0/1 field; a clear error otherwise. */
    static int label(GenericRecord r, String field) {
        if (r.getSchema().getField(field) == null) {
            throw new DataException("Label field '" + field + "' is not in " + r.getSchema().getFullName());
        }
        Object v = r.get(field);
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof Number n && (n.doubleValue() == 0 || n.doubleValue() == 1)) {
            return n.intValue();
        }
        throw new DataException("Label field '" + field + "' must be boolean or 0/1, found " + v);
    }
}
