/**
 * The model lifecycle as operators see it: the releases on the models topic, what detectors did with each (from the
 * model events topic), and a rollback that is a new, signed release pointing back.
 */
package dev.anomaly.trainer.lifecycle;
