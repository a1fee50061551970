package dev.anomaly.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A uniform random sample of at most {@code capacity} items from a stream of unknown length, in memory bounded by the
 * capacity (Vitter's algorithm R): after n offers every item seen is in the sample with probability capacity / n.
 * Seeded, so the same stream gives the same sample.
 */
public final class Reservoir<T> {
    private final int capacity;
    private final SplittableRandom random;
    private final List<T> items;
    private long seen;

    public Reservoir(int capacity, long seed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("sample size must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.random = new SplittableRandom(seed);
        this.items = new ArrayList<>(Math.min(capacity, 1 << 16));
    }

    public void offer(T item) {
        seen++;
        if (items.size() < capacity) {
            items.add(item);
            return;
        }
        long j = random.nextLong(seen);
        if (j < capacity) {
            items.set((int) j, item);
        }
    }

    /** Items offered so far. */
    public long seen() {
        return seen;
    }

    /** The sample (all items while fewer than the capacity were offered), in no particular order. */
    public List<T> items() {
        return items;
    }
}
