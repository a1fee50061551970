/** Memory of training on a topic range: retained heap of a whole read against a sampled one. */
package dev.anomaly.bench.topic;
