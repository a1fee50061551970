package dev.anomaly.detector.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: Prometheus text format. {@code GET /health} (also {@code /health/live}): 200 while the
 * service is alive; {@code GET /health/ready}: 200 only while Kafka Streams is RUNNING with a model loaded.
 */
public final class HttpEndpoints implements AutoCloseable {
    /** What health reports. */
    public record Health(boolean live, boolean ready, String detail) {
    }

    private final HttpServer server;

    public HttpEndpoints(String host, int port, PrometheusMeterRegistry registry, Supplier<Health> health) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/health", ex -> {
            Health h = health.get();
            boolean ok = ex.getRequestURI().getPath().endsWith("/ready") ? h.ready() : h.live();
            respond(ex, ok ? 200 : 503, "application/json",
                    "{\"live\":" + h.live() + ",\"ready\":" + h.ready() + ",\"detail\":\"" + h.detail().replace("\"", "'") + "\"}");
        });
        server.setExecutor(null);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
