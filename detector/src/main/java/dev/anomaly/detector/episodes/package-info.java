/**
 * Alert episodes: the alerts of one key folded into incidents with an open, updates and a close, so that a pump that
 * misbehaves for an hour is one incident, not thousands of alerts.
 */
package dev.anomaly.detector.episodes;
