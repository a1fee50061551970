package dev.anomaly.deploy;

import dev.anomaly.deploy.cli.AnomalyCli;
import dev.anomaly.detector.app.DetectorCli;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/'s files, checked by reading them (there is no Docker engine or cluster here): every YAML file parses; the
 * Kubernetes workloads are hardened and probed; the compose file runs only commands the image has, with options the
 * CLI accepts, and uses no shell features its images' /bin/sh lacks.
 */
class DeployFilesTest {
    /** Maven runs the deploy module's tests with deploy/ as the working directory. */
    private static final Path DEPLOY = Path.of("").toAbsolutePath();
    /** The launcher both distributions (and so both images) carry. */
    private static final Path DIST_BIN = DEPLOY.resolve("../detector/src/main/dist/bin").normalize();
    /** The detector's distribution: what its image copies. Built by the detector module's package phase. */
    private static final Path DETECTOR_DIST = DEPLOY.resolve("../detector/target/anomaly-detector").normalize();

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        List<Map<String, Object>> out = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml(options).loadAll(in)) {
                if (doc != null) {
                    out.add((Map<String, Object>) doc);
                }
            }
        }
        return out;
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(DEPLOY.resolve("k8s"))) {
            List<Path> out = new ArrayList<>(files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList());
            out.add(DEPLOY.resolve("docker-compose.yml"));
            return out;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            assertThat(current).as("%s in %s", key, String.join(".", path)).isInstanceOf(Map.class);
            current = ((Map<String, Object>) current).get(key);
        }
        return (T) current;
    }

    @Test
    void shouldParseEveryYamlFile() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path f : files) {
            assertThat(documents(f)).as(f.toString()).isNotEmpty();
        }
    }

    /** Every workload's pod templates, by kind/name. */
    private static Map<String, Map<String, Object>> podSpecs() throws IOException {
        Map<String, Map<String, Object>> pods = new java.util.TreeMap<>();
        for (Path f : yamlFiles()) {
            if (f.getFileName().toString().startsWith("docker-compose")) {
                continue;
            }
            for (Map<String, Object> doc : documents(f)) {
                String kind = (String) doc.get("kind");
                String name = at(doc, "metadata", "name");
                Map<String, Object> spec = switch (kind) {
                    case "Deployment", "Job" -> at(doc, "spec", "template", "spec");
                    case "CronJob" -> at(doc, "spec", "jobTemplate", "spec", "template", "spec");
                    default -> null;
                };
                if (spec != null) {
                    pods.put(kind + "/" + name, spec);
                }
            }
        }
        return pods;
    }

    @Test
    void shouldHardenEveryWorkload() throws IOException {
        Map<String, Map<String, Object>> pods = podSpecs();
        assertThat(pods).containsKeys("Deployment/anomaly-detector", "Deployment/anomaly-retrainer", "Job/anomaly-train-initial",
                "CronJob/anomaly-retrain");
        pods.forEach((name, pod) -> {
            assertThat((Boolean) at(pod, "enableServiceLinks")).as(name + " enableServiceLinks").isFalse();
            assertThat((Boolean) at(pod, "securityContext", "runAsNonRoot")).as(name + " runAsNonRoot").isTrue();
            assertThat((String) at(pod, "securityContext", "seccompProfile", "type")).as(name + " seccomp").isEqualTo("RuntimeDefault");
            List<Map<String, Object>> containers = at(pod, "containers");
            for (Map<String, Object> c : containers) {
                assertThat((Boolean) at(c, "securityContext", "readOnlyRootFilesystem")).as(name + " readOnlyRootFilesystem").isTrue();
                assertThat((Boolean) at(c, "securityContext", "allowPrivilegeEscalation")).as(name + " allowPrivilegeEscalation").isFalse();
                assertThat((List<String>) at(c, "securityContext", "capabilities", "drop")).as(name + " drops").contains("ALL");
                List<Map<String, Object>> mounts = at(c, "volumeMounts");
                assertThat(mounts).as(name + ": a read-only root needs a writable /tmp (native libraries are unpacked there)")
                        .anyMatch(m -> "/tmp".equals(m.get("mountPath")));
            }
        });
    }

    @Test
    void shouldProbeTheDetectorAndBudgetItsDisruptions() throws IOException {
        Map<String, Object> detector = podSpecs().get("Deployment/anomaly-detector");
        Map<String, Object> container = ((List<Map<String, Object>>) at(detector, "containers")).get(0);
        assertThat((String) at(container, "startupProbe", "httpGet", "path")).isEqualTo("/health/live");
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/health/live");
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/health/ready");
        assertThat((Integer) at(container, "startupProbe", "failureThreshold") * (Integer) at(container, "startupProbe", "periodSeconds"))
                .as("seconds a start may take (waiting for the broker and a model)").isGreaterThanOrEqualTo(120);
        Map<String, Object> pdb = null;
        for (Map<String, Object> doc : documents(DEPLOY.resolve("k8s/detector.yaml"))) {
            if ("PodDisruptionBudget".equals(doc.get("kind"))) {
                pdb = doc;
            }
        }
        assertThat(pdb).as("a PodDisruptionBudget for the detector").isNotNull();
        assertThat((Map<String, Object>) at(pdb, "spec", "selector", "matchLabels")).containsEntry("app.kubernetes.io/name", "anomaly-detector");
        List<Object> retrainerArgs = at(((List<Map<String, Object>>) at(podSpecs().get("Deployment/anomaly-retrainer"), "containers")).get(0), "args");
        assertThat(retrainerArgs).containsExactly("retrain");
    }

    private static final Pattern ANOMALY_CALL = Pattern.compile("(?:/opt/anomaly/bin/anomaly|\\$A)\\s+([a-z]+[^\\n]*)");

    @Test
    void shouldOnlyRunCommandsTheImageHasWithOptionsTheCliAccepts() throws IOException {
        Map<String, Object> compose = documents(DEPLOY.resolve("docker-compose.yml")).get(0);
        Map<String, Map<String, Object>> services = at(compose, "services");
        List<List<String>> allInOne = new ArrayList<>();
        List<List<String>> detectorInvocations = new ArrayList<>();
        services.forEach((name, service) -> {
            boolean detectorImage = String.valueOf(service.get("image")).startsWith("anomaly-detector:");
            boolean anomalyImage = String.valueOf(service.get("image")).startsWith("anomaly:") || detectorImage;
            List<List<String>> invocations = detectorImage ? detectorInvocations : allInOne;
            Object command = service.get("command");
            Object entrypoint = service.get("entrypoint");
            if (anomalyImage && entrypoint == null && command instanceof List<?> args) {
                invocations.add(args.stream().map(String::valueOf).toList()); // ENTRYPOINT is the anomaly launcher
            }
            if (command instanceof List<?> lines) {
                for (Object line : lines) {
                    String script = String.valueOf(line).replace("\\\n", " ");
                    assertThat(script).as(name + ": bash-only syntax under /bin/sh").doesNotContain("/dev/tcp").doesNotContain("[[")
                            .doesNotContain("source ");
                    Matcher m = ANOMALY_CALL.matcher(script);
                    while (m.find()) {
                        invocations.add(shellWords(m.group(1)));
                    }
                }
            }
            Object health = service.get("healthcheck") instanceof Map<?, ?> h ? h.get("test") : null;
            if (health instanceof List<?> test) {
                List<String> words = test.stream().map(String::valueOf).toList();
                assertThat(String.join(" ", words)).as(name + " health check").doesNotContain("/dev/tcp");
                if (words.get(0).equals("CMD") && words.size() > 1 && words.get(1).startsWith("/opt/anomaly/bin/")) {
                    assertThat(DIST_BIN.resolve(Path.of(words.get(1)).getFileName().toString())).exists();
                    invocations.add(words.subList(2, words.size()));
                }
            }
        });
        assertThat(allInOne).extracting(i -> i.get(0)).contains("simulate", "train", "publish");
        assertThat(detectorInvocations).extracting(i -> i.get(0)).contains("detect", "health");
        for (List<String> args : allInOne) {
            // Parses like the launcher would: an unknown subcommand or option throws.
            AnomalyCli.commandLine().parseArgs(args.toArray(String[]::new));
        }
        for (List<String> args : detectorInvocations) {
            DetectorCli.commandLine().parseArgs(args.toArray(String[]::new)); // the detector image has only its own commands
        }
        assertThat(DIST_BIN.resolve("anomaly")).exists();
    }

    @Test
    void shouldBuildTheDetectorImageFromADistributionWithoutTrainingOrBrokerJars() throws IOException {
        Map<String, Object> compose = documents(DEPLOY.resolve("docker-compose.yml")).get(0);
        Map<String, Object> detector = at(compose, "services", "detector");
        assertThat((String) detector.get("image")).startsWith("anomaly-detector:");
        Path context = DEPLOY.resolve((String) at(detector, "build", "context")).normalize();
        assertThat(context).isEqualTo(DETECTOR_DIST);
        assertThat(context.resolve((String) at(detector, "build", "dockerfile")).normalize()).isEqualTo(DEPLOY.resolve("docker/Dockerfile.detector"));
        assertThat(Files.readString(DEPLOY.resolve("k8s/detector.yaml"))).contains("image: anomaly-detector:");

        List<String> jars;
        try (Stream<Path> files = Files.list(DETECTOR_DIST.resolve("lib"))) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).as("the detector image's jars").isNotEmpty().anyMatch(j -> j.startsWith("kafka-streams-"))
                .anyMatch(j -> j.startsWith("onnxruntime")).anyMatch(j -> j.startsWith("logback-classic"))
                .noneMatch(j -> j.startsWith("deeplearning4j") || j.startsWith("nd4j") || j.startsWith("javacpp")
                        || j.startsWith("openblas") || j.startsWith("kafka_2.") || j.startsWith("kafka-server")
                        || j.startsWith("kafka-raft") || j.startsWith("kafka-metadata") || j.startsWith("scala-library")
                        || j.startsWith("anomaly-trainer") || j.startsWith("anomaly-deploy") || j.startsWith("jmh"));
        assertThat(DETECTOR_DIST.resolve("bin/anomaly")).content().contains("dev.anomaly.detector.app.DetectorCli");
    }

    @Test
    void shouldAdvertiseAListenerTheHostCanUse() throws IOException {
        Map<String, Object> env = at(documents(DEPLOY.resolve("docker-compose.yml")).get(0), "services", "kafka", "environment");
        assertThat(String.valueOf(env.get("KAFKA_ADVERTISED_LISTENERS"))).contains("EXTERNAL://localhost:9092").contains("INTERNAL://kafka:");
        assertThat((List<String>) at(documents(DEPLOY.resolve("docker-compose.yml")).get(0), "services", "kafka", "ports")).contains("9092:9092");
    }

    /** Splits a command line into words, dropping quotes and variables' surrounding quotes; {@code $VAR} stays a word. */
    private static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|'([^']*)'|(\\S+)").matcher(line);
        while (m.find()) {
            String w = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (w.equals("||") || w.equals("&&") || w.equals(";") || w.equals(">")) {
                break;
            }
            if (w.endsWith(";")) { // the end of this command
                words.add(w.substring(0, w.length() - 1));
                break;
            }
            words.add(w);
        }
        return words;
    }
}
