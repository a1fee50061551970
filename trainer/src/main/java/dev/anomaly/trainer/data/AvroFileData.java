package dev.anomaly.trainer.data;

import dev.anomaly.schemas.features.FeatureSpec;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads Avro object container files ({@code .avro}). */
public final class AvroFileData {
    private AvroFileData() {
    }

    /** All records of the file. */
    public static List<GenericRecord> records(Path file) {
        if (!Files.exists(file)) {
            throw new DataException("No such file: " + file);
        }
        AvroContainerCheck.check(file);
        List<GenericRecord> out = new ArrayList<>();
        try (DataFileReader<GenericRecord> reader = new DataFileReader<>(file.toFile(), new GenericDatumReader<>())) {
            while (reader.hasNext()) {
                out.add(reader.next());
            }
        } catch (IOException | RuntimeException e) {
            throw new DataException("Cannot read Avro file " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new DataException(file + ": no records");
        }
        return out;
    }

    /** Reads the file; infers the spec when {@code spec} is null. */
    public static Dataset read(Path file, Optional<String> labelField, FeatureSpec spec, List<String> include,
                               List<String> exclude, int maxCategories) {
        List<GenericRecord> records = records(file);
        if (spec == null) {
            Set<String> leftOut = new HashSet<>(exclude);
            labelField.ifPresent(leftOut::add);
            spec = SpecInference.infer(records.get(0).getSchema(), records, include, leftOut, maxCategories);
        }
        return RecordData.toDataset(records, spec, labelField, file.toString());
    }
}
