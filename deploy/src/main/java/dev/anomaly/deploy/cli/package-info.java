/**
 * The all-in-one {@code anomaly} command line: every module's commands, plus demo, simulate and (when its module
 * is present) bench; one-line errors and documented exit codes.
 */
package dev.anomaly.deploy.cli;
