/**
 * Benchmarks that print numbers ({@code anomaly bench}), with the process statistics and JSON report they share.
 * Not part of any distribution but the bench module's own; never run as tests.
 */
package dev.anomaly.bench;
