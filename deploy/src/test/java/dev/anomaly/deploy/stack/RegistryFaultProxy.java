package dev.anomaly.deploy.stack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network fault between a client and the real schema registry: requests pass through to the registry, unless the
 * proxy is {@link Mode#DOWN} (connections refused, as when the registry is not running) or {@link Mode#NOT_FOUND}
 * (every schema lookup answered 404, as a registry that restarted without its data would). The registry behind it is
 * the real one; only the network in between is faked.
 */
public final class RegistryFaultProxy implements AutoCloseable {
    public enum Mode { PASS, DOWN, NOT_FOUND }

    private final String upstream;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger lookups = new AtomicInteger();
    private HttpServer server;
    private volatile Mode mode = Mode.PASS;

    /** @param registryUrl the registry's Confluent-compatible API root */
    public RegistryFaultProxy(String registryUrl) throws IOException {
        this.upstream = registryUrl;
        this.port = Ports.freePort();
        listen();
    }

    /** The URL clients use instead of the registry's. */
    public String url() {
        return "http://127.0.0.1:" + port + URI.create(upstream).getPath();
    }

    /** Schema lookups by id that reached the proxy (passed or not). */
    public int lookupsById() {
        return lookups.get();
    }

    public synchronized void mode(Mode next) throws IOException {
        if (next == Mode.DOWN && server != null) {
            server.stop(0);
            server = null;
        } else if (next != Mode.DOWN && server == null) {
            listen();
        }
        mode = next;
    }

    private void listen() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) { // the port may linger for a moment after stop
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
                server.createContext("/", this::handle);
                server.setExecutor(Executors.newFixedThreadPool(4));
                server.start();
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        throw last;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        if (path.contains("/schemas/ids/")) {
            lookups.incrementAndGet();
        }
        try (ex) {
            if (mode == Mode.NOT_FOUND && path.contains("/schemas/ids/")) {
                byte[] body = "{\"error_code\":40403,\"message\":\"Schema not found\"}".getBytes();
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(404, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            URI base = URI.create(upstream);
            URI target = URI.create(base.getScheme() + "://" + base.getAuthority() + path + (query == null ? "" : "?" + query));
            byte[] requestBody;
            try (InputStream in = ex.getRequestBody()) {
                requestBody = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                    .method(ex.getRequestMethod(), requestBody.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(requestBody));
            for (String h : List.of("Content-Type", "Accept", "Authorization")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    request.header(h, v);
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.sendResponseHeaders(503, -1);
                return;
            }
            response.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
            byte[] body = response.body();
            ex.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }
}
