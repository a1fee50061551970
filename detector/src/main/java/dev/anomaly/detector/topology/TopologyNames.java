package dev.anomaly.detector.topology;

/** Topic and node names of the detector topology; node names are fixed so internal topics and stores stay stable. */
record TopologyNames(String alertTopic, String deadLetterTopic, String scoresTopic, String driftTopic, String episodesTopic) {
    static final String SOURCE = "input";
    static final String WINDOWS = "windows";
    static final String WINDOW_STORE = "key-windows";
    static final String PROCESSOR = "score";
    static final String STORE = "batch-commit-flush";
    static final String EPISODES = "episodes";
    static final String EPISODE_STORE = "open-episodes";

    String episodesSink() {
        return "episodes-out";
    }

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
