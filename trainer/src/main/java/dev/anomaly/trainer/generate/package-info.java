/**
 * A generative model as a generator: records sampled from a VAE, interpolations between two records' codes, and the
 * records they make.
 */
package dev.anomaly.trainer.generate;
