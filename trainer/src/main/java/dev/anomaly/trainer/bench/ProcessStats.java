package dev.anomaly.trainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident set size of this process (Linux {@code VmHWM}), for benchmarks. */
public final class PeakMemory {
    private PeakMemory() {
    }

    /** Megabytes, or NaN where /proc is not available. */
    public static double peakRssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
