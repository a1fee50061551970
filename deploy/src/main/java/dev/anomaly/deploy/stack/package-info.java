/**
 * The embedded local stack: a real Kafka broker in-process and a real Apicurio registry in a child JVM, bound to
 * 127.0.0.1, stopped whatever way this JVM ends.
 */
package dev.anomaly.deploy.stack;
