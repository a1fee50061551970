package dev.anomaly.trainer.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReservoirTest {
    @Test
    void shouldKeepEverythingUntilFull() {
        Reservoir<Integer> r = new Reservoir<>(10, 1);
        for (int i = 0; i < 7; i++) {
            r.offer(i);
        }
        assertThat(r.items()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(r.seen()).isEqualTo(7);
    }

    @Test
    void shouldHoldAtMostItsCapacityAndSampleEveryPositionAlike() {
        int n = 10_000;
        int k = 500;
        int trials = 400;
        long[] hits = new long[10]; // by decile of the stream's position
        for (int t = 0; t < trials; t++) {
            Reservoir<Integer> r = new Reservoir<>(k, t);
            for (int i = 0; i < n; i++) {
                r.offer(i);
            }
            assertThat(r.items()).hasSize(k).doesNotHaveDuplicates();
            r.items().forEach(i -> hits[i * 10 / n]++);
        }
        // Each decile holds 1/10 of the sample: k * trials / 10 = 20,000 expected, binomial sd ~134.
        for (long h : hits) {
            assertThat(h).isBetween(19_300L, 20_700L);
        }
    }

    @Test
    void shouldDrawTheSameSampleFromTheSameSeed() {
        Reservoir<Integer> a = new Reservoir<>(50, 9);
        Reservoir<Integer> b = new Reservoir<>(50, 9);
        for (int i = 0; i < 5000; i++) {
            a.offer(i);
            b.offer(i);
        }
        assertThat(a.items()).containsExactlyElementsOf(b.items());
    }
}
