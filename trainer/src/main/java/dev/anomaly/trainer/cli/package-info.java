/**
 * The trainer's commands ({@code train}, {@code score}, {@code evaluate}, {@code publish}, {@code retrain}) and
 * their exit codes.
 */
package dev.anomaly.trainer.cli;
