package dev.anomaly.deploy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code anomaly bench}: the benchmarks live in their own module, which no distribution or image contains. When its jar
 * is on the classpath (the bench module's own distribution, {@code bench/target/anomaly-bench}) its command is used;
 * otherwise a stand-in says where to find it.
 */
final class BenchCommands {
    static final String BENCH_COMMAND = "dev.anomaly.bench.BenchCommand";
    static final String HEADER = "Benchmarks that print numbers (kernel, train, detector, topic-read).";

    private BenchCommands() {
    }

    /** The bench module's command if present, else the stand-in. */
    static Object command() {
        try {
            return Class.forName(BENCH_COMMAND).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new NotInstalled();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + BENCH_COMMAND, e);
        }
    }

    @Command(name = "bench", header = HEADER, mixinStandardHelpOptions = true,
            description = {"The benchmarks are not part of this distribution. Build and run them with:",
                    "  ./mvnw -B -DskipTests package && bench/target/anomaly-bench/bin/anomaly bench --help"})
    static final class NotInstalled implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** Whatever benchmark was asked for: the answer is the same. */
        @CommandLine.Unmatched
        java.util.List<String> benchmark;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("anomaly bench: the benchmarks are not in this distribution; build them with"
                    + " './mvnw -B -DskipTests package' and run 'bench/target/anomaly-bench/bin/anomaly bench --help'");
            return 2;
        }
    }
}
