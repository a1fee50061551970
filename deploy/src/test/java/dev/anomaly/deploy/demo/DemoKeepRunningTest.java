package dev.anomaly.deploy.demo;

import dev.anomaly.deploy.cli.AnomalyCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code anomaly demo --keep-running} as a user runs it, in its own process: after the summary the detector and the
 * stack stay up (the printed metrics URL answers, the broker accepts connections) until the process is told to stop,
 * and then nothing is left behind: no port open, no data directory.
 */
class DemoKeepRunningTest {
    @Test
    void shouldKeepEverythingUpUntilStoppedAndLeaveNothingBehind(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path stdout = dir.resolve("demo.out");
        Process demo = new ProcessBuilder(java, "-Xmx1g", "-Danomaly.registry.home=" + System.getProperty("anomaly.registry.home"),
                "-cp", System.getProperty("java.class.path"), AnomalyCli.class.getName(), "demo", "--keep-running",
                "--history", "1500", "--records", "1000", "--epochs", "3", "--out", dir.resolve("out").toString())
                .redirectError(dir.resolve("demo.err").toFile()).redirectOutput(stdout.toFile()).start();
        String metrics;
        String bootstrap;
        Path data;
        try {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(demo.isAlive()).as("the demo died; output:%n%s%nstderr: %s", String.join("\n", lines(stdout)),
                        dir.resolve("demo.err")).isTrue();
                return lines(stdout).stream().anyMatch(l -> l.contains("(deleted when stopped)"));
            });
            List<String> lines = lines(stdout);
            metrics = find(lines, "detector metrics\\s+(\\S+)");
            bootstrap = find(lines.subList(indexOf(lines, "Everything is still running"), lines.size()), "bootstrap servers\\s+(\\S+)");
            data = Path.of(find(lines, "^\\s+data\\s+(\\S+) \\(deleted when stopped\\)"));

            // Still up after the summary: the detector answers, the broker accepts connections.
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("anomaly_records_scored_total");
            assertThat(open(host(bootstrap), port(bootstrap))).as("broker accepts connections").isTrue();
            assertThat(demo.isAlive()).isTrue();

            demo.destroy(); // SIGTERM, as Ctrl-C or a service manager would stop it
            assertThat(demo.waitFor(120, TimeUnit.SECONDS)).as("the demo stops when told to").isTrue();
        } finally {
            demo.destroyForcibly();
        }
        assertThat(lines(stdout)).anyMatch(l -> l.contains("Stopping the detector and the local stack"))
                .anyMatch(l -> l.contains("Local stack stopped"));
        int metricsPort = URI.create(metrics).getPort();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(open(host(bootstrap), port(bootstrap))).as("broker port closed").isFalse();
            assertThat(open("127.0.0.1", metricsPort)).as("detector port closed").isFalse();
            assertThat(Files.exists(data)).as("data directory deleted").isFalse();
        });
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static String find(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("no line matches " + regex + " in:\n" + String.join("\n", lines));
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line contains " + text);
    }

    private static boolean open(String host, int port) {
        try (Socket s = new Socket(host, port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
