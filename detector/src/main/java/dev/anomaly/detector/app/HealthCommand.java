package dev.anomaly.detector.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code anomaly health}: asks a detector's health endpoint, for container health checks that should not depend on the
 * shell or the tools of the image (curl, bash's /dev/tcp): exit 0 when it answers 200, 1 otherwise.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        header = "Ask a detector's /health endpoint; exit 0 if it answers 200 (for container health checks).")
public final class HealthCommand implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080/health/ready", description = "Endpoint (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--timeout-ms", defaultValue = "3000", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Override
    public Integer call() {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMs)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(timeoutMs)).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println(r.statusCode() + " " + r.body());
            return r.statusCode() == 200 ? DetectorCli.OK : DetectorCli.FAILURE;
        } catch (Exception e) {
            System.out.println("no answer from " + url + ": " + e);
            return DetectorCli.FAILURE;
        }
    }
}
