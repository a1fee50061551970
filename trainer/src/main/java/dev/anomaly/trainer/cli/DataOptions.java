package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.trainer.data.AvroFileData;
import dev.anomaly.trainer.data.Bucketing;
import dev.anomaly.trainer.data.CsvData;
import dev.anomaly.trainer.data.DataException;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.KafkaTopicData;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.data.SpecInference;
import dev.anomaly.trainer.data.TopicRange;
import org.apache.avro.generic.GenericRecord;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/** Where records come from: a CSV file, an Avro container file, or a range of a Kafka topic. Shared by commands. */
public final class DataOptions {
    @Option(names = "--data", paramLabel = "FILE", description = "Input file: .csv (header, numeric columns) or .avro (container file).")
    Path data;

    @Option(names = "--label-column", paramLabel = "NAME", description = "Ground-truth column or field (0/1 or boolean): never a feature, used only for evaluation.")
    String labelColumn;

    @Option(names = "--features", split = ",", paramLabel = "PATH", description = "Avro input: use exactly these field paths (dot-separated), in this order. Default: every numeric, boolean and low-cardinality string/enum field.")
    List<String> features = new ArrayList<>();

    @Option(names = "--exclude", split = ",", paramLabel = "PATH", description = "Avro input: leave these field paths out.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--max-categories", defaultValue = "20", description = "Avro input: a string/enum field with more distinct values is treated as an identifier and left out (default: ${DEFAULT-VALUE}).")
    int maxCategories;

    @Option(names = "--topic", description = "Read from this Kafka topic (Confluent-wire Avro) instead of a file.")
    String topic;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (with --topic).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (with --topic).")
    String registryUrl;

    @Option(names = "--from", paramLabel = "TIME", description = "With --topic: first record timestamp (ISO-8601, e.g. 2026-01-01T00:00:00Z).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "With --topic: last record timestamp (ISO-8601).")
    String to;

    @Option(names = "--last", paramLabel = "N", description = "With --topic: only the last N records (by timestamp).")
    Long last;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Extra consumer / registry client setting (repeatable), e.g. security.protocol=SASL_SSL. KAFKA_X_Y environment variables set x.y too.")
    Map<String, String> kafkaProperties = new HashMap<>();

    @Option(names = "--sample", paramLabel = "N", defaultValue = "200000", description = "With --topic: keep a uniform random sample of at most"
            + " N of the records read, so that memory stays bounded however long the range (default: ${DEFAULT-VALUE}; 0: keep all).")
    int sample;

    @Option(names = "--read-timeout", defaultValue = "PT5M", description = "With --topic: give up reading after this long (ISO-8601 duration, default: ${DEFAULT-VALUE}).")
    Duration readTimeout;

    /** CSV input read leniently: rows that cannot be read are set aside (score --skip-bad-rows). */
    CsvData.Lenient readCsvSkippingBadRows(FeatureSpec spec) {
        if (data == null || !data.getFileName().toString().toLowerCase().endsWith(".csv")) {
            throw new IllegalArgumentException("--skip-bad-rows applies to CSV input (Avro files and topics already skip, and count,"
                    + " records that cannot be extracted)");
        }
        CsvData.Lenient read = CsvData.readSkippingBadRows(data, label(), Bucketing.numericView(spec));
        return new CsvData.Lenient(Bucketing.conform(read.data(), spec), read.lines(), read.rejected());
    }

    boolean isCsv() {
        return data != null && data.getFileName().toString().toLowerCase().endsWith(".csv");
    }

    Optional<String> label() {
        return Optional.ofNullable(labelColumn);
    }

    /** Reads the input; infers the feature spec when {@code spec} is null. */
    public Dataset read(FeatureSpec spec) {
        if ((data == null) == (topic == null)) {
            throw new IllegalArgumentException("Give exactly one of --data FILE or --topic NAME");
        }
        if (spec != null && spec.window() != null) {
            // A windowed model reads windows: one row per window, each ending at a record of its key.
            return readWindows(spec.window(), spec.rowSpec());
        }
        if (topic != null) {
            return readTopic(spec);
        }
        String name = data.getFileName().toString().toLowerCase();
        if (name.endsWith(".csv")) {
            if (!features.isEmpty() || !exclude.isEmpty()) {
                throw new IllegalArgumentException("--features / --exclude apply to Avro input only; a CSV's features are its non-label columns");
            }
            // A CSV holds numbers: a model's bucketed features are read as their numbers, then cut at its edges.
            return spec == null ? CsvData.read(data, label(), null)
                    : Bucketing.conform(CsvData.read(data, label(), Bucketing.numericView(spec)), spec);
        }
        if (name.endsWith(".avro")) {
            return AvroFileData.read(data, label(), spec, features, exclude, maxCategories);
        }
        throw new DataException("Unsupported input " + data + ": expected a .csv or .avro file");
    }

    /**
     * The input as windows of {@code window} (Avro files and topics: a CSV row has no key and time here); the key, time
     * and label fields are never features.
     */
    public Dataset readWindows(dev.anomaly.schemas.features.WindowSpec window) {
        return readWindows(window, null);
    }

    /** As {@link #readWindows(dev.anomaly.schemas.features.WindowSpec)}, with the record features of {@code rowSpec} when given. */
    private Dataset readWindows(dev.anomaly.schemas.features.WindowSpec window, FeatureSpec rowSpec) {
        List<GenericRecord> records;
        String source;
        if (topic != null) {
            if (sample > 0) {
                throw new IllegalArgumentException("--window needs every record of the range (a sample would break the series): add --sample 0");
            }
            TopicRange range = range(OptionalInt.empty());
            records = KafkaTopicData.readAll(range, readTimeout, p -> true).values();
            source = range.describe();
        } else if (data != null && data.getFileName().toString().toLowerCase().endsWith(".avro")) {
            records = AvroFileData.records(data);
            source = data.toString();
        } else if (data != null && data.getFileName().toString().toLowerCase().endsWith(".csv")) {
            records = dev.anomaly.trainer.data.CsvSeries.records(data, window.key(), window.time(), label());
            source = data.toString();
        } else {
            throw new IllegalArgumentException("--window needs a .csv or .avro file or --topic");
        }
        if (records.isEmpty()) {
            throw new DataException("No records in " + source);
        }
        Set<String> ex = new HashSet<>(exclude);
        label().ifPresent(ex::add);
        ex.add(window.key());
        ex.add(window.time());
        FeatureSpec row = rowSpec != null ? rowSpec : SpecInference.infer(records.get(0).getSchema(), records, features, ex, maxCategories);
        return dev.anomaly.trainer.data.Windowing.windows(records, row, window, label(), source);
    }

    /** The topic range the options name, kept whole or as a sample of {@code sampled} records. */
    private TopicRange range(OptionalInt sampled) {
        return new TopicRange(topic, time(from, "--from"), time(to, "--to"),
                last == null ? OptionalLong.empty() : OptionalLong.of(last), sampled,
                ClientProperties.resolve(kafkaProperties, bootstrapServers, registryUrl, "--topic"));
    }

    private Dataset readTopic(FeatureSpec spec) {
        TopicRange range = range(sample > 0 ? OptionalInt.of(sample) : OptionalInt.empty());
        KafkaTopicData.Read read = KafkaTopicData.readAll(range, readTimeout, p -> true);
        List<GenericRecord> records = read.values();
        if (read.records().size() < read.seen()) {
            System.err.printf("Read %s of %s (--sample %d keeps memory bounded; --sample 0 keeps every record)%n", read.describe(),
                    range.describe(), sample);
        }
        if (records.isEmpty()) {
            throw new DataException("No records in " + range.describe());
        }
        if (spec == null) {
            Set<String> ex = new HashSet<>(exclude);
            label().ifPresent(ex::add);
            spec = SpecInference.infer(records.get(0).getSchema(), records, features, ex, maxCategories);
        }
        return RecordData.toDataset(records, spec, label(), range.describe() + ", " + read.describe());
    }

    private static Optional<Instant> time(String value, String option) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Invalid " + option + " '" + value + "': expected ISO-8601 like 2026-01-01T00:00:00Z");
        }
    }
}
