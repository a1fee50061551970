package dev.anomaly.detector.topology;

/** Topic and node names of the detector topology; node names are fixed so internal topics and stores stay stable. */
record TopologyNames(String alertTopic, String deadLetterTopic, String scoresTopic, String driftTopic) {
    static final String SOURCE = "input";
    static final String PROCESSOR = "score";
    static final String STORE = "batch-commit-flush";

    String alertSink() {
        return "alerts";
    }

    String deadLetterSink() {
        return "deadletter";
    }

    String scoresSink() {
        return "scores";
    }

    String driftSink() {
        return "drift";
    }
}
