package dev.anomaly.trainer.data;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A CSV file of many time series as records for windowing: a key column (any text), a time column (epoch
 * milliseconds, ISO-8601 instants, or {@code yyyy-MM-dd HH:mm:ss} read as UTC, as NAB writes them), an optional label
 * column, and every other column a number. The records carry the same field names, so a model trained on them reads
 * the Avro records of a topic with those fields.
 */
public final class CsvSeries {
    private CsvSeries() {
    }

    public static List<GenericRecord> records(Path file, String keyColumn, String timeColumn, Optional<String> labelColumn) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String headerLine = CsvData.readLine(in, file, 1);
            if (headerLine == null || headerLine.isBlank()) {
                throw new DataException(file + ": empty file (expected a header row)");
            }
            List<String> header = Arrays.stream(CsvData.split(headerLine.replace("\uFEFF", ""))).map(String::trim).toList();
            int key = column(file, header, keyColumn, "--window-key");
            int time = column(file, header, timeColumn, "--window-time");
            int label = labelColumn.map(l -> column(file, header, l, "--label-column")).orElse(-1);
            SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("CsvRow").namespace("dev.anomaly.csv").fields()
                    .requiredString(keyColumn).requiredLong(timeColumn);
            if (label >= 0) {
                fields = fields.requiredInt(labelColumn.get());
            }
            for (int i = 0; i < header.size(); i++) {
                if (i != key && i != time && i != label) {
                    fields = fields.requiredDouble(header.get(i));
                }
            }
            Schema schema = fields.endRecord();
            List<GenericRecord> out = new ArrayList<>();
            String line;
            long lineNo = 1;
            while ((line = CsvData.readLine(in, file, ++lineNo)) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = CsvData.split(line);
                if (cells.length != header.size()) {
                    throw new DataException(file + ":" + lineNo + ": " + cells.length + " fields, the header has " + header.size());
                }
                GenericRecord r = new GenericData.Record(schema);
                for (int i = 0; i < cells.length; i++) {
                    String cell = cells[i].trim();
                    String name = header.get(i);
                    if (i == key) {
                        r.put(name, cell);
                    } else if (i == time) {
                        r.put(name, millis(cell, file, lineNo));
                    } else if (i == label) {
                        r.put(name, (int) number(cell, name, file, lineNo));
                    } else {
                        r.put(name, number(cell, name, file, lineNo));
                    }
                }
                out.add(r);
            }
            if (out.isEmpty()) {
                throw new DataException(file + ": no rows");
            }
            return out;
        } catch (NoSuchFileException e) {
            throw new DataException("No such file: " + file, e);
        } catch (IOException e) {
            throw new DataException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int column(Path file, List<String> header, String name, String option) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new DataException(file + ": " + option + " column '" + name + "' is not in the header " + header);
        }
        return i;
    }

    private static double number(String cell, String column, Path file, long line) {
        try {
            double v = Double.parseDouble(cell);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new DataException(file + ":" + line + ": column " + column + " is not a finite number: '" + cell + "'");
    }

    static long millis(String cell, Path file, long line) {
        try {
            return Long.parseLong(cell);
        } catch (NumberFormatException e) {
            // not epoch milliseconds
        }
        try {
            return Instant.parse(cell).toEpochMilli();
        } catch (DateTimeParseException e) {
            // not an instant
        }
        try {
            return LocalDateTime.parse(cell.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new DataException(file + ":" + line + ": time '" + cell + "' is neither epoch milliseconds, an ISO-8601 instant"
                    + " nor yyyy-MM-dd HH:mm:ss");
        }
    }
}
