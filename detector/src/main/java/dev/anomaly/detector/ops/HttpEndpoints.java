package dev.anomaly.detector.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: Prometheus text format. {@code GET /health} (also {@code /health/live}): 200 while the
 * detector is alive; {@code GET /health/ready}: 200 only while it is doing its job ({@link HealthState}).
 *
 * <p>One thread serves every connection with non-blocking I/O, so no client can hold it: a request must arrive whole
 * within {@value #REQUEST_DEADLINE_MS} ms and its answer leave within the same deadline, headers are capped at
 * {@value #MAX_REQUEST_BYTES} bytes, and at most {@value #MAX_CONNECTIONS} connections are open (the oldest is dropped
 * for a new one). A half-sent request from a slow or hostile client therefore cannot stall the liveness probe that
 * follows it. Each answer closes its connection.
 */
public final class HttpEndpoints implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoints.class);
    static final int REQUEST_DEADLINE_MS = 5_000;
    static final int MAX_REQUEST_BYTES = 8_192;
    static final int MAX_CONNECTIONS = 64;

    private final Selector selector;
    private final ServerSocketChannel server;
    private final PrometheusMeterRegistry registry;
    private final Supplier<HealthState.Health> health;
    private final Thread thread;
    private final Deque<SelectionKey> open = new ArrayDeque<>();
    private volatile boolean running = true;

    /** One connection: the request read so far, then the answer left to write. */
    private static final class Exchange {
        final long deadline = System.currentTimeMillis() + REQUEST_DEADLINE_MS;
        final ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        ByteBuffer response;
    }

    public HttpEndpoints(String host, int port, PrometheusMeterRegistry registry, Supplier<HealthState.Health> health) throws IOException {
        this.registry = registry;
        this.health = health;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        try {
            server.bind(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            selector.close();
            server.close();
            throw new IOException("Cannot serve /metrics and /health on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::serve, "anomaly-http");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    private void serve() {
        while (running) {
            try {
                selector.select(250);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                        } else if (key.isReadable()) {
                            read(key);
                        } else if (key.isWritable()) {
                            write(key);
                        }
                    } catch (IOException | RuntimeException e) {
                        close(key);
                    }
                }
                expire();
            } catch (IOException | RuntimeException e) {
                if (running) {
                    log.warn("HTTP endpoint loop: {}", e.toString());
                }
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            if (open.size() >= MAX_CONNECTIONS) {
                close(open.pollFirst());
            }
            open.addLast(channel.register(selector, SelectionKey.OP_READ, new Exchange()));
        }
    }

    private void read(SelectionKey key) throws IOException {
        Exchange ex = (Exchange) key.attachment();
        SocketChannel channel = (SocketChannel) key.channel();
        int n = channel.read(ex.request);
        if (n < 0) {
            close(key);
            return;
        }
        String head = new String(ex.request.array(), 0, ex.request.position(), StandardCharsets.ISO_8859_1);
        if (head.contains("\r\n\r\n") || head.contains("\n\n")) {
            respond(key, ex, head);
        } else if (!ex.request.hasRemaining()) {
            ex.response = answer(431, "text/plain", "request headers too large\n");
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private void respond(SelectionKey key, Exchange ex, String head) throws IOException {
        String[] line = head.substring(0, head.indexOf('\n')).trim().split(" ");
        String path = line.length > 1 ? line[1] : "";
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (!"GET".equals(line[0]) && !"HEAD".equals(line[0])) {
            ex.response = answer(405, "text/plain", "GET only\n");
        } else if (path.equals("/metrics")) {
            ex.response = answer(200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        } else if (path.equals("/health") || path.startsWith("/health/")) {
            HealthState.Health h = health.get();
            boolean ok = path.endsWith("/ready") ? h.ready() : h.live();
            ex.response = answer(ok ? 200 : 503, "application/json", "{\"live\":" + h.live() + ",\"ready\":" + h.ready()
                    + ",\"detail\":\"" + h.detail().replace("\\", "\\\\").replace("\"", "'") + "\"}");
        } else {
            ex.response = answer(404, "text/plain", "not found: /metrics, /health, /health/live, /health/ready\n");
        }
        key.interestOps(SelectionKey.OP_WRITE);
        write(key);
    }

    private static ByteBuffer answer(int status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 200 -> "OK";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            default -> "Service Unavailable";
        };
        byte[] head = ("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(head.length + bytes.length).put(head).put(bytes).flip();
    }

    private void write(SelectionKey key) throws IOException {
        Exchange ex = (Exchange) key.attachment();
        ((SocketChannel) key.channel()).write(ex.response);
        if (!ex.response.hasRemaining()) {
            close(key);
        }
    }

    /** Drops connections past their deadline: a client that sends or reads too slowly loses its answer, nothing more. */
    private void expire() {
        long now = System.currentTimeMillis();
        while (!open.isEmpty()) {
            SelectionKey oldest = open.peekFirst();
            if (oldest.isValid() && ((Exchange) oldest.attachment()).deadline > now) {
                break;
            }
            close(open.pollFirst());
        }
    }

    private void close(SelectionKey key) {
        if (key == null) {
            return;
        }
        open.remove(key);
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
            server.close();
        } catch (IOException e) {
            log.debug("Closing HTTP endpoints: {}", e.toString());
        }
    }
}
