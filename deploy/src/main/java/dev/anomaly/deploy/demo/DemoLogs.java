package dev.anomaly.deploy.demo;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * The demo's console is for its story: the embedded broker's and the Kafka clients' own logs (an in-process broker logs
 * errors it recovers from, such as out-of-order sequence numbers during transaction retries) go to a file instead.
 */
public final class DemoLogs {
    private static final String[] KAFKA_LOGGERS = {"kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper"};

    private DemoLogs() {
    }

    /** Sends the Kafka loggers (broker and clients) to {@code file}, at INFO, and no longer to the console. */
    public static void kafkaToFile(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another logging backend: leave its configuration alone
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("demo-kafka-file");
        appender.setFile(file.toAbsolutePath().toString());
        appender.setAppend(false);
        appender.setEncoder(encoder);
        appender.start();
        for (String name : KAFKA_LOGGERS) {
            Logger logger = context.getLogger(name);
            logger.setAdditive(false);
            logger.setLevel(ch.qos.logback.classic.Level.INFO);
            logger.addAppender(appender);
        }
    }
}
