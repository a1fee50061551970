package dev.anomaly.deploy.demo;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** What the demo prints at the end, and writes with {@code --summary-json}. */
public record DemoSummary(
        @JsonProperty("records") long records,
        @JsonProperty("alerts") long alerts,
        @JsonProperty("dead_lettered") long deadLettered,
        @JsonProperty("precision") double precision,
        @JsonProperty("recall") double recall,
        @JsonProperty("f1") double f1,
        @JsonProperty("throughput_rps") double throughputRps,
        @JsonProperty("latency_p50_ms") double latencyP50Ms,
        @JsonProperty("latency_p99_ms") double latencyP99Ms,
        @JsonProperty("latency") Latency latency,
        @JsonProperty("model_versions") List<Integer> modelVersions,
        @JsonProperty("drift_events") long driftEvents,
        @JsonProperty("report_path") String reportPath,
        @JsonProperty("alert_rate_before_shift") Double alertRateBeforeShift,
        @JsonProperty("alert_rate_after_shift") Double alertRateAfterShift,
        @JsonProperty("alert_rate_after_swap") Double alertRateAfterSwap,
        @JsonProperty("phases") List<Phase> phases) {

    /**
     * The figures of one stretch of the stream: before and after the regime shift, before and after the retrained model
     * (the model versions that raised its alerts; the first records after a swap may still meet the old one).
     */
    public record Phase(@JsonProperty("name") String name, @JsonProperty("alert_versions") List<Integer> alertVersions,
                        @JsonProperty("records") long records, @JsonProperty("alerts") long alerts,
                        @JsonProperty("alert_rate") double alertRate, @JsonProperty("precision") double precision,
                        @JsonProperty("recall") double recall, @JsonProperty("f1") double f1) {
    }
}
