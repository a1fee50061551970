/**
 * The HTML training report with its charts.
 */
package dev.anomaly.trainer.report;
