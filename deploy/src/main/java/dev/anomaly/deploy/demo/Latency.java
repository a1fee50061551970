package dev.anomaly.deploy.demo;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where an alert's time goes, from the producer's send to the moment a read_committed consumer can read it: producer →
 * broker (the send, until the broker appends the record: the input topic stamps records with the broker's append
 * time), broker → scored (the detector's fetch, the batch's linger, decoding and the model call; up to the alert's
 * {@code detectedAt}), and scored → readable (the rest of the batch's routing and, under exactly-once, the wait for the
 * transaction to commit, every {@code commit.interval.ms}, and for the consumer's next fetch).
 */
public record Latency(@JsonProperty("total") Percentiles total, @JsonProperty("producer_to_broker") Percentiles producerToBroker,
                      @JsonProperty("broker_to_scored") Percentiles brokerToScored,
                      @JsonProperty("scored_to_readable") Percentiles scoredToReadable) {

    /** p50 and p99 in milliseconds, over {@code count} alerts. */
    public record Percentiles(@JsonProperty("p50_ms") double p50, @JsonProperty("p99_ms") double p99, @JsonProperty("count") int count) {
        static Percentiles of(List<Long> values) {
            if (values.isEmpty()) {
                return new Percentiles(Double.NaN, Double.NaN, 0);
            }
            List<Long> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return new Percentiles(sorted.get((int) Math.floor(0.5 * (sorted.size() - 1))),
                    sorted.get((int) Math.floor(0.99 * (sorted.size() - 1))), sorted.size());
        }

        @Override
        public String toString() {
            return String.format("p50 %.0f ms, p99 %.0f ms", p50, p99);
        }
    }

    /** @param sentAt the producer's send time of each record, by {@code partition@offset} */
    static Latency of(List<DemoRun.Received> alerts, Map<String, Long> sentAt) {
        List<Long> total = new ArrayList<>();
        List<Long> toBroker = new ArrayList<>();
        List<Long> toScored = new ArrayList<>();
        List<Long> toReadable = new ArrayList<>();
        for (DemoRun.Received r : alerts) {
            Long sent = sentAt.get(r.alert().getSourcePartition() + "@" + r.alert().getSourceOffset());
            long appended = r.alert().getEventTime().toEpochMilli();
            long detected = r.alert().getDetectedAt().toEpochMilli();
            long start = sent == null ? appended : sent;
            total.add(r.atMs() - start);
            toBroker.add(appended - start);
            toScored.add(detected - appended);
            toReadable.add(r.atMs() - detected);
        }
        return new Latency(Percentiles.of(total), Percentiles.of(toBroker), Percentiles.of(toScored), Percentiles.of(toReadable));
    }
}
