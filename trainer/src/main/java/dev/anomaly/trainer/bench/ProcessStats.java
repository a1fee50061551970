package dev.anomaly.trainer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident set size and CPU time of a process, from Linux {@code /proc}, for benchmarks. NaN elsewhere. */
public final class ProcessStats {
    /** Clock ticks per second of {@code /proc/<pid>/stat}'s times ({@code getconf CLK_TCK}; 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {
    }

    /** Peak RSS of this process in megabytes. */
    public static double peakRssMegabytes() {
        return peakRssMegabytes(ProcessHandle.current().pid());
    }

    /** Peak RSS ({@code VmHWM}) of process {@code pid} in megabytes. */
    public static double peakRssMegabytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** User + system CPU seconds process {@code pid} has used so far (all its threads). */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces: state is field 3,
            // utime field 14, stime field 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
