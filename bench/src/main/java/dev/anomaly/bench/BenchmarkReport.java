package dev.anomaly.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The figures of one benchmark run with the machine they were measured on, printable and writable as JSON. */
public final class BenchmarkReport {
    private final Map<String, Object> figures = new LinkedHashMap<>();

    public BenchmarkReport(String benchmark) {
        figures.put("benchmark", benchmark);
        figures.put("cores", Runtime.getRuntime().availableProcessors());
        figures.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        figures.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"));
    }

    public BenchmarkReport put(String name, Object value) {
        figures.put(name, value);
        return this;
    }

    public BenchmarkReport putAll(Map<String, ?> values) {
        figures.putAll(values);
        return this;
    }

    /** Adds the process's peak RSS under {@code <prefix>.peak_rss_mb}, prints it, and writes JSON when {@code json} is set. */
    public void finish(String prefix, Path json) throws IOException {
        double rss = ProcessStats.peakRssMegabytes();
        figures.put(prefix + ".peak_rss_mb", rss);
        System.out.printf("peak RSS of this process: %.0f MB%n", rss);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), figures);
        }
    }
}
