package dev.anomaly.detector.app;

import dev.anomaly.detector.topology.DeadLetterLimit;
import dev.anomaly.detector.topology.DeadLetters;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What happens when the producer cannot write an output record. Dead letters are sized to fit before they are sent, so
 * a dead letter the broker still refuses as too large means its limit is lower than the detector measured (changed
 * after start-up, or a broker-wide cap): the limit is halved and the task fails, its batch is read again from the last
 * commit and its dead letters are cut to the new limit (see {@link StreamFailurePolicy}). Retriable errors are retried;
 * anything else fails loudly, naming the topic and the input record it came from — never skipped, since a skipped
 * output is a lost record.
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProductionHandler.class);
    /** Configuration entries (objects, set by the runner) this handler reads. */
    public static final String LIMIT = "anomaly.deadletter.limit";
    public static final String TOPIC = "anomaly.deadletter.topic";

    private DeadLetterLimit limit;
    private String deadLetterTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        Object l = configs.get(LIMIT);
        this.limit = l instanceof DeadLetterLimit d ? d : new DeadLetterLimit(1024 * 1024);
        Object t = configs.get(TOPIC);
        this.deadLetterTopic = t == null ? "" : t.toString();
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        String source = sourceOf(context, record);
        if (exception instanceof RecordTooLargeException && record.topic().equals(deadLetterTopic)) {
            int size = sizeOf(record);
            int now = limit.lowerTo(size / 2);
            log.warn("The broker refused a dead letter of about {} bytes for {} as too large; dead letters are now cut to {} bytes"
                    + " and the batch is read again", size, source, now);
            return ProductionExceptionHandlerResponse.FAIL;
        }
        if (exception instanceof RetriableException) {
            return ProductionExceptionHandlerResponse.RETRY;
        }
        log.error("Cannot write to topic '{}' (output of input record {}): {}", record.topic(), source, exception.toString());
        return ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context, ProducerRecord record,
                                                                          Exception exception, SerializationExceptionOrigin origin) {
        log.error("Cannot serialize an output record for topic '{}': {}", record.topic(), exception.toString());
        return ProductionExceptionHandlerResponse.FAIL;
    }

    /**
     * The input record an output came from: the error context's, or — for outputs sent at a commit or a tick, which
     * have no current input record — the source headers the detector puts on dead letters and scores.
     */
    private static String sourceOf(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> r) {
        if (context.topic() != null) {
            return context.topic() + "-" + context.partition() + "@" + context.offset();
        }
        Header topic = r.headers().lastHeader(DeadLetters.SOURCE_TOPIC);
        Header partition = r.headers().lastHeader(DeadLetters.SOURCE_PARTITION);
        Header offset = r.headers().lastHeader(DeadLetters.SOURCE_OFFSET);
        if (topic == null || partition == null || offset == null) {
            return "(a batch flushed at a commit)";
        }
        return new String(topic.value(), StandardCharsets.UTF_8) + "-" + new String(partition.value(), StandardCharsets.UTF_8)
                + "@" + new String(offset.value(), StandardCharsets.UTF_8);
    }

    static int sizeOf(ProducerRecord<byte[], byte[]> r) {
        long n = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        for (Header h : r.headers()) {
            n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }
}
