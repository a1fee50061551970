package dev.anomaly.trainer.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anomaly.trainer.data.DataException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A NAB corpus folder: {@code data/<category>/<name>.csv} ({@code timestamp,value}) and {@code windows.json}. */
public final class NabCorpus {
    private NabCorpus() {
    }

    /** One series, its rows in file (time) order, and its windows as row indices (inclusive). */
    public record Series(String category, String name, List<String> timestamps, double[] values, List<int[]> windows) {
        public String key() {
            return category + "/" + name;
        }

        public int probation() {
            return NabScorer.Series.probation(values.length);
        }
    }

    public static List<Series> read(Path dir) throws IOException {
        Path data = dir.resolve("data");
        Path windowsFile = dir.resolve("windows.json");
        if (!Files.isDirectory(data) || !Files.isRegularFile(windowsFile)) {
            throw new DataException(dir + " is not a NAB corpus (data/ and windows.json expected)");
        }
        JsonNode windows = new ObjectMapper().readTree(windowsFile.toFile());
        List<Path> files;
        try (Stream<Path> s = Files.walk(data)) {
            files = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        List<Series> out = new ArrayList<>();
        for (Path f : files) {
            String category = f.getParent().getFileName().toString();
            String name = f.getFileName().toString();
            List<String> times = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            List<String> lines = Files.readAllLines(f);
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty()) {
                    continue;
                }
                int comma = line.indexOf(',');
                times.add(line.substring(0, comma).trim());
                values.add(Double.parseDouble(line.substring(comma + 1).trim()));
            }
            Map<String, Integer> row = new HashMap<>();
            for (int i = 0; i < times.size(); i++) {
                row.put(second(times.get(i)), i);
            }
            List<int[]> ws = new ArrayList<>();
            JsonNode list = windows.get(category + "/" + name);
            if (list != null) {
                for (Iterator<JsonNode> it = list.elements(); it.hasNext(); ) {
                    JsonNode w = it.next();
                    Integer a = row.get(second(w.get(0).asText()));
                    Integer b = row.get(second(w.get(1).asText()));
                    if (a == null || b == null) {
                        throw new DataException("window " + w + " of " + category + "/" + name + " does not start and end on its rows");
                    }
                    ws.add(new int[]{a, b});
                }
            }
            out.add(new Series(category, name, times, values.stream().mapToDouble(Double::doubleValue).toArray(), ws));
        }
        return out;
    }

    /** A timestamp to the second ("2014-04-10 07:15:00.000000" and "2014-04-10 07:15:00" are one row). */
    private static String second(String timestamp) {
        return timestamp.length() > 19 ? timestamp.substring(0, 19) : timestamp;
    }

    /** Writes one series' results in NAB's layout: {@code <out>/<detector>/<category>/<detector>_<name>.csv}. */
    public static void writeResults(Path out, String detector, Series s, double[] scores) throws IOException {
        Path file = out.resolve(detector).resolve(s.category()).resolve(detector + "_" + s.name());
        Files.createDirectories(file.getParent());
        boolean[] label = new boolean[s.values().length];
        for (int[] w : s.windows()) {
            for (int i = w[0]; i <= w[1]; i++) {
                label[i] = true;
            }
        }
        StringBuilder b = new StringBuilder("timestamp,value,anomaly_score,label\n");
        for (int i = 0; i < scores.length; i++) {
            b.append(s.timestamps().get(i)).append(',').append(s.values()[i]).append(',').append(scores[i]).append(',')
                    .append(label[i] ? 1 : 0).append('\n');
        }
        Files.writeString(file, b);
    }
}
