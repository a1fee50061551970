package dev.anomaly.trainer.data;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads numeric CSV: a header row, then one record per line, comma-separated, every feature value a finite number.
 * The label column (0/1), when named, is never a feature.
 */
public final class CsvData {
    private CsvData() {
    }

    /** Reads every column except the label as a numeric feature, in file order. */
    public static Dataset read(Path file, Optional<String> labelColumn) {
        return read(file, labelColumn, null);
    }

    /**
     * Reads the columns of {@code spec} (matched by feature name, in any file order); other columns are ignored.
     * With {@code spec == null} the spec is every non-label column, numeric.
     */
    public static Dataset read(Path file, Optional<String> labelColumn, FeatureSpec spec) {
        return read(file, labelColumn, spec, null).data();
    }

    /** A row left out of a lenient read: its line number, why, and the line itself. */
    public record Rejected(long line, String reason, String text) {
    }

    /** The rows that could be read (row i came from line {@code lines[i]}), and those that could not. */
    public record Lenient(Dataset data, long[] lines, List<Rejected> rejected) {
    }

    /**
     * Like {@link #read(Path, Optional, FeatureSpec)}, but a row that cannot be read (wrong field count, a value that is
     * not a finite number, a bad label) is set aside with its line number and reason instead of failing the file.
     */
    public static Lenient readSkippingBadRows(Path file, Optional<String> labelColumn, FeatureSpec spec) {
        return read(file, labelColumn, spec, new ArrayList<>());
    }

    private static Lenient read(Path file, Optional<String> labelColumn, FeatureSpec spec, List<Rejected> rejected) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String headerLine = readLine(in, file, 1);
            if (headerLine == null || headerLine.isBlank()) {
                throw new DataException(file + ": empty file (expected a header row)");
            }
            if (headerLine.charAt(0) == '\uFEFF') {
                headerLine = headerLine.substring(1); // a UTF-8 byte order mark (Excel writes one): not part of the first name
            }
            List<String> header = Arrays.stream(split(headerLine)).map(String::trim).toList();
            if (header.size() == 1 && (headerLine.contains(";") || headerLine.contains("\t"))) {
                throw new DataException(file + ": the header has a single column '" + header.get(0) + "'; the file looks "
                        + (headerLine.contains(";") ? "semicolon" : "tab") + "-separated, and anomaly reads comma-separated CSV"
                        + " (convert it, e.g. with: tr '" + (headerLine.contains(";") ? ";" : "\\t") + "' ',' < in > out.csv)");
            }
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                if (index.put(header.get(i), i) != null) {
                    throw new DataException(file + ": duplicate column '" + header.get(i) + "' in header");
                }
            }
            int labelIndex = -1;
            if (labelColumn.isPresent()) {
                Integer li = index.get(labelColumn.get());
                if (li == null) {
                    throw new DataException(file + ": label column '" + labelColumn.get() + "' not in header " + header);
                }
                labelIndex = li;
            }
            if (spec == null) {
                List<Feature> features = new ArrayList<>();
                for (int i = 0; i < header.size(); i++) {
                    if (i != labelIndex) {
                        features.add(Feature.numeric(header.get(i)));
                    }
                }
                if (features.isEmpty()) {
                    throw new DataException(file + ": no feature columns (only the label column)");
                }
                spec = new FeatureSpec(features, null);
            }
            int[] columns = new int[spec.width()];
            List<String> missing = new ArrayList<>();
            int c = 0;
            for (Feature f : spec.features()) {
                if (f.type() != dev.anomaly.schemas.features.FeatureType.NUMERIC) {
                    throw new DataException("CSV input supports numeric features only; feature '" + f.name() + "' is " + f.type());
                }
                Integer ci = index.get(f.name());
                if (ci == null) {
                    missing.add(f.name());
                } else {
                    columns[c] = ci;
                }
                c++;
            }
            if (!missing.isEmpty()) {
                throw new DataException(file + ": missing column(s) " + missing + " required by the model (header: " + header + ")");
            }
            return readRows(in, file, header, columns, labelIndex, spec, rejected);
        } catch (NoSuchFileException e) {
            throw new DataException("No such file: " + file, e);
        } catch (IOException e) {
            throw new DataException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Lenient readRows(BufferedReader in, Path file, List<String> header, int[] columns, int labelIndex,
                                    FeatureSpec spec, List<Rejected> rejected) throws IOException {
        int width = columns.length;
        float[] values = new float[1024 * width];
        int[] labels = labelIndex >= 0 ? new int[1024] : null;
        long[] lines = new long[1024];
        float[] row = new float[width];
        int rows = 0;
        long lineNo = 1;
        String line;
        while ((line = readLine(in, file, lineNo + 1)) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            int label;
            try {
                String[] cells = split(line);
                if (cells.length != header.size()) {
                    throw new DataException(file + " line " + lineNo + ": " + cells.length + " fields, header has " + header.size()
                            + (cells.length == 1 && (line.contains(";") || line.contains("\t")) ? " (is this line separated by ';' or tabs?)" : ""));
                }
                for (int j = 0; j < width; j++) {
                    row[j] = number(cells[columns[j]], file, lineNo, header.get(columns[j]));
                }
                label = labelIndex < 0 ? 0 : label(cells[labelIndex], file, lineNo, header.get(labelIndex));
            } catch (DataException e) {
                if (rejected == null) {
                    throw e;
                }
                rejected.add(new Rejected(lineNo, e.getMessage().replace(file + " line " + lineNo + ": ", ""), line));
                continue;
            }
            if ((rows + 1) * width > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            if (rows >= lines.length) {
                lines = Arrays.copyOf(lines, lines.length * 2);
                if (labels != null) {
                    labels = Arrays.copyOf(labels, labels.length * 2);
                }
            }
            System.arraycopy(row, 0, values, rows * width, width);
            if (labels != null) {
                labels[rows] = label;
            }
            lines[rows] = lineNo;
            rows++;
        }
        if (rows == 0) {
            throw new DataException(file + ": no data rows after the header" + (rejected == null || rejected.isEmpty() ? ""
                    : " that could be read (" + rejected.size() + " rejected; first, line " + rejected.get(0).line() + ": " + rejected.get(0).reason() + ")"));
        }
        Dataset data = new Dataset(spec, Arrays.copyOf(values, rows * width), rows,
                labels == null ? Optional.empty() : Optional.of(Arrays.copyOf(labels, rows)), file.toString());
        return new Lenient(data, Arrays.copyOf(lines, rows), rejected == null ? List.of() : rejected);
    }

    private static int label(String cell, Path file, long lineNo, String column) {
        float label = number(cell, file, lineNo, column);
        if (label != 0f && label != 1f) {
            throw new DataException(file + " line " + lineNo + ": label column '" + column + "' must be 0 or 1, found '" + cell.trim() + "'");
        }
        return (int) label;
    }

    /** Longest line read: a file with no line breaks (not a CSV file) must not be read into memory whole. */
    static final int MAX_LINE_CHARS = 16 << 20;

    /** The next line without its terminator (\n or \r\n), or null at the end; a line over {@link #MAX_LINE_CHARS} is an error. */
    static String readLine(BufferedReader in, Path file, long lineNo) throws IOException {
        StringBuilder line = new StringBuilder(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (line.length() >= MAX_LINE_CHARS) {
                throw new DataException(file + " line " + lineNo + " is longer than " + MAX_LINE_CHARS + " characters: not a CSV file?");
            }
            line.append((char) c);
        }
        if (c < 0 && line.length() == 0) {
            return null;
        }
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            line.setLength(end - 1);
        }
        return line.toString();
    }

    private static float number(String cell, Path file, long line, String column) {
        String s = cell.trim();
        try {
            float v = Float.parseFloat(s);
            if (!Float.isFinite(v)) {
                throw new DataException(file + " line " + line + ": column '" + column + "' is not finite: '" + s + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DataException(file + " line " + line + ": column '" + column + "' is not a number: '" + s + "'"
                    + (s.contains(";") ? " (the file looks ';'-separated; anomaly reads comma-separated CSV)" : ""));
        }
    }

    /** The cells of one CSV line, with double-quoted cells (and "" inside them). */
    static String[] split(String line) {
        if (line.indexOf('"') < 0) {
            return line.split(",", -1);
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (ch == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells.toArray(String[]::new);
    }
}
