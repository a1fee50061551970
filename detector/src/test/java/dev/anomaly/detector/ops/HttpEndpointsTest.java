package dev.anomaly.detector.ops;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HttpEndpointsTest {
    private static final HealthState.Health OK = new HealthState.Health(true, false, "streams RUNNING");

    @Test
    void shouldAnswerHealthWhileClientsHoldHalfSentRequests() throws Exception {
        try (HttpEndpoints http = new HttpEndpoints("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> OK)) {
            List<Socket> stalled = new ArrayList<>();
            try {
                // More half-sent requests than any pool of handler threads: the old server served one at a time.
                for (int i = 0; i < 40; i++) {
                    Socket s = new Socket("127.0.0.1", http.port());
                    s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    stalled.add(s);
                }
                HttpClient client = HttpClient.newBuilder().build();
                HttpResponse<String> live = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/health/live"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(live.statusCode()).isEqualTo(200);
                assertThat(live.body()).contains("\"live\":true");
                HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/health/ready"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(503);
                HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics"))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    @Test
    void shouldDropAClientThatNeverFinishesItsRequest() throws Exception {
        try (HttpEndpoints http = new HttpEndpoints("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> OK);
             Socket s = new Socket("127.0.0.1", http.port())) {
            OutputStream out = s.getOutputStream();
            out.write("GET /health HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            assertThat(in.read()).as("the server closes the connection instead of waiting forever").isEqualTo(-1);
        }
    }

    @Test
    void shouldRefuseOversizedHeaders() throws Exception {
        try (HttpEndpoints http = new HttpEndpoints("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> OK);
             Socket s = new Socket("127.0.0.1", http.port())) {
            s.getOutputStream().write(("GET /health HTTP/1.1\r\nX: " + "a".repeat(10_000)).getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(60_000);
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 431");
        }
    }
}
