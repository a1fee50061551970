/**
 * Publishing a model file as a release on the compacted models topic.
 */
package dev.anomaly.trainer.publish;
