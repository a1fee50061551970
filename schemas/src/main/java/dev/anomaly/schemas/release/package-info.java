/**
 * Trust in model releases: the publisher signs what a release decides (Ed25519, in the JDK), detectors verify it
 * against the public keys they are configured to trust.
 */
package dev.anomaly.schemas.release;
