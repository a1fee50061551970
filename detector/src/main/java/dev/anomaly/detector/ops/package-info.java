/**
 * What operators watch: Micrometer metrics for Prometheus, stream-thread heartbeats, health state and the HTTP
 * endpoints that serve them.
 */
package dev.anomaly.detector.ops;
