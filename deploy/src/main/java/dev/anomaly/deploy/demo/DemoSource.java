package dev.anomaly.deploy.demo;

import dev.anomaly.deploy.demo.TelemetrySimulator;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.trainer.data.CsvData;
import dev.anomaly.trainer.data.Dataset;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The demo's records: simulated pump telemetry by default, or the rows of a user's CSV turned into Avro records.
 *
 * @param afterSwap how many of the last stream records are held back until the detector serves a retrained model (the
 *                  drift story: they show the new model's figures); 0 otherwise
 */
public record DemoSource(FeatureSpec spec, List<GenericRecord> history, List<GenericRecord> stream, List<Integer> streamLabels,
                  List<String> streamKeys, String description, int afterSwap) {

    static final FeatureSpec TELEMETRY_SPEC = FeatureSpec.of(Feature.numeric("rpm"), Feature.numeric("powerKw"),
            Feature.numeric("temperatureC"), Feature.numeric("vibrationMm"), Feature.numeric("pressureBar"), Feature.numeric("flowM3h"),
            Feature.bool("valveOpen"), Feature.categorical("mode", List.of("IDLE", "NORMAL", "BOOST")));

    /**
     * @param shiftAt when >= 0, the regime shifts after this many streamed records (speeds x1.3, temperatures +6 C)
     */
    public static DemoSource telemetry(int historyRecords, int streamRecords, double anomalyRate, int shiftAt) {
        return telemetry(historyRecords, streamRecords, anomalyRate, shiftAt, 0);
    }

    /** With {@code afterSwap} more regime-B records held back for after the retrained model is served. */
    public static DemoSource telemetry(int historyRecords, int streamRecords, double anomalyRate, int shiftAt, int afterSwap) {
        // One reading per pump every 3 minutes: the history spans more than a day, so it sees the whole load cycle.
        TelemetrySimulator sim = new TelemetrySimulator(42, 10, Instant.parse("2026-01-01T00:00:00Z"), java.time.Duration.ofMinutes(3), anomalyRate);
        List<GenericRecord> history = new ArrayList<>();
        sim.next(historyRecords).forEach(r -> history.add(r.reading()));
        List<GenericRecord> stream = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < streamRecords + afterSwap; i++) {
            if (i == shiftAt) {
                sim.shiftRegime(1.3, 6.0);
            }
            var r = sim.next();
            stream.add(r.reading());
            labels.add(r.isAnomaly() ? 1 : 0);
            keys.add(r.reading().getMachineId());
        }
        return new DemoSource(TELEMETRY_SPEC, history, stream, labels, keys,
                "simulated pump telemetry (10 pumps, daily load cycle, " + String.format("%.1f", anomalyRate * 100)
                        + " % injected spikes, stuck sensors, broken correlations, drifts)", afterSwap);
    }

    /** A user's CSV: numeric columns become double fields; the first {@code trainFraction} of rows train, the rest stream. */
    public static DemoSource csv(Path file, Optional<String> labelColumn, double trainFraction) {
        Dataset d = CsvData.read(file, labelColumn);
        List<String> columns = d.spec().columnNames();
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("DemoRecord").namespace("dev.anomaly.demo").fields();
        List<Feature> features = new ArrayList<>();
        for (String c : columns) {
            String name = c.replaceAll("[^A-Za-z0-9_]", "_");
            if (!Character.isLetter(name.charAt(0)) && name.charAt(0) != '_') {
                name = "_" + name;
            }
            fields.requiredDouble(name);
            features.add(Feature.numeric(name));
        }
        Schema schema = fields.endRecord();
        int split = (int) Math.round(d.rows() * trainFraction);
        List<GenericRecord> history = new ArrayList<>();
        List<GenericRecord> stream = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < d.rows(); i++) {
            GenericRecord r = new GenericData.Record(schema);
            for (int j = 0; j < columns.size(); j++) {
                r.put(j, (double) d.get(i, j));
            }
            if (i < split) {
                history.add(r);
            } else {
                stream.add(r);
                labels.add(d.labels().map(l -> l[0]).isPresent() ? d.labels().get()[i] : 0);
                keys.add("row-" + i);
            }
        }
        return new DemoSource(new FeatureSpec(features, null), history, stream, labels, keys,
                file + " (" + d.rows() + " rows; first " + split + " train, the rest stream" + (labelColumn.isPresent() ? ", labels from " + labelColumn.get() : "") + ")", 0);
    }

    boolean labelled() {
        return streamLabels.stream().anyMatch(l -> l == 1);
    }
}
