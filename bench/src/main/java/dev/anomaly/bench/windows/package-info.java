/** {@code anomaly bench windows}: the detector with and without its window stage, side by side. */
package dev.anomaly.bench.windows;
