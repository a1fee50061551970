package dev.anomaly.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessStatsTest {
    @Test
    void shouldSeeThisProcessUseCpuAndMemory() {
        long pid = ProcessHandle.current().pid();
        double before = ProcessStats.cpuSeconds(pid);
        long end = System.nanoTime() + 300_000_000L;
        double sink = 0;
        while (System.nanoTime() < end) {
            sink += Math.sqrt(sink + 1);
        }
        assertThat(sink).isPositive();
        assertThat(ProcessStats.cpuSeconds(pid) - before).isGreaterThan(0.1);
        assertThat(ProcessStats.peakRssMegabytes()).isGreaterThan(10);
        assertThat(ProcessStats.cpuSeconds(Long.MAX_VALUE)).isNaN();
    }
}
