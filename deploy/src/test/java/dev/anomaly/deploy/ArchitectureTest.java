package dev.anomaly.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layering the README describes, read from the compiled classes with the JDK's jdeps: which module may use what,
 * and no package of ours depends, through any chain, on a package that depends back on it.
 */
class ArchitectureTest {
    private static final List<String> MODULES = List.of("schemas", "scoring", "trainer", "detector", "deploy");
    /** Package → packages it uses (ours and libraries'), per module. */
    private static final Map<String, Map<String, Set<String>>> USES = new TreeMap<>();

    @BeforeAll
    static void readClasses() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        for (String module : MODULES) {
            Path classes = Path.of("..", module, "target", "classes");
            assertThat(classes).as("compiled classes of " + module).isDirectory();
            StringWriter out = new StringWriter();
            int exit = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-verbose:package", "-filter:none",
                    classes.toString());
            assertThat(exit).as("jdeps on " + module).isZero();
            Map<String, Set<String>> uses = new TreeMap<>();
            out.toString().lines().map(String::trim).map(l -> l.split("\\s+")).filter(p -> p.length >= 3 && p[1].equals("->"))
                    .filter(p -> p[0].startsWith("dev.anomaly."))
                    .forEach(p -> uses.computeIfAbsent(p[0], k -> new TreeSet<>()).add(p[2]));
            USES.put(module, uses);
        }
    }

    @Test
    void shouldKeepTheScoringModuleFreeOfKafkaAndDl4j() {
        assertThat(libraries("scoring")).noneMatch(p -> p.startsWith("org.apache.kafka") || p.startsWith("org.deeplearning4j")
                || p.startsWith("org.nd4j"));
        assertThat(libraries("scoring")).contains("ai.onnxruntime");
    }

    @Test
    void shouldKeepTheContractsFreeOfOnnxRuntimeAndDl4j() {
        assertThat(libraries("schemas")).noneMatch(p -> p.startsWith("ai.onnxruntime") || p.startsWith("org.deeplearning4j")
                || p.startsWith("org.nd4j"));
    }

    @Test
    void shouldKeepTheDetectorFreeOfDl4jAndTheBroker() {
        assertThat(libraries("detector")).noneMatch(p -> p.startsWith("org.deeplearning4j") || p.startsWith("org.nd4j")
                || p.startsWith("kafka.") || p.startsWith("org.apache.kafka.server") || p.startsWith("org.apache.kafka.raft"));
        assertThat(ours("detector")).noneMatch(p -> p.startsWith("dev.anomaly.trainer") || p.startsWith("dev.anomaly.deploy"));
    }

    @Test
    void shouldHaveNoPackageCycles() {
        Map<String, Set<String>> graph = new HashMap<>();
        USES.values().forEach(m -> m.forEach((pkg, uses) -> graph.computeIfAbsent(pkg, k -> new TreeSet<>())
                .addAll(uses.stream().filter(u -> u.startsWith("dev.anomaly.") && !u.equals(pkg)).toList())));
        List<Set<String>> cycles = stronglyConnected(graph).stream().filter(c -> c.size() > 1).toList();

        assertThat(cycles).as("packages that depend on each other").isEmpty();
        assertThat(graph).hasSizeGreaterThan(20); // the graph was read at all
    }

    private static Set<String> libraries(String module) {
        Set<String> out = new TreeSet<>();
        USES.get(module).values().forEach(s -> s.stream().filter(p -> !p.startsWith("dev.anomaly.") && !p.startsWith("java")).forEach(out::add));
        return out;
    }

    private static Set<String> ours(String module) {
        Set<String> out = new TreeSet<>();
        USES.get(module).values().forEach(s -> s.stream().filter(p -> p.startsWith("dev.anomaly.")).forEach(out::add));
        return out;
    }

    /** Tarjan's strongly connected components. */
    private static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] counter = {0};
        for (String v : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out, counter);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }
}
