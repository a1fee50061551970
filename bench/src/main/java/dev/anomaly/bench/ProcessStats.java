package dev.anomaly.bench;

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

    /**
     * CPU seconds so far of this process's threads, summed by thread name (as the kernel keeps it: at most 15
     * characters, digits dropped, so that e.g. all GC threads count together).
     */
    public static java.util.Map<String, Double> threadCpuSeconds() {
        java.util.Map<String, Double> out = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9#]", "");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
