package dev.anomaly.bench.detector;

import dev.anomaly.bench.detector.DetectorThroughputBenchmark.Pass;
import dev.anomaly.bench.ProcessStats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One measured application's worker JVM ({@link DetectorBenchWorker}) seen from the benchmark: started and warmed up,
 * then told to run each measured pass over the backlog, then to start the application that the latency phases feed.
 */
final class BenchWorkerProcess implements AutoCloseable {
    /** One measured pass: over the whole backlog and over its second half. */
    record MeasuredPass(Pass whole, Pass steady) {
    }

    private final String name;
    private final int run;
    private final String output;
    private final Path log;
    private final Process process;
    private final BufferedReader lines;
    private final PrintStream commands;
    private final List<MeasuredPass> passes = new ArrayList<>();

    private BenchWorkerProcess(String name, int run, String output, Path log, Process process) {
        this.name = name;
        this.run = run;
        this.output = output;
        this.log = log;
        this.process = process;
        this.lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /**
     * Starts the worker and returns once its warm-up is done, so that the next worker's warm-up does not compete with
     * this one's.
     *
     * @param name   how the figures name the application, e.g. "limit", "detector b512"
     * @param output the topic the application writes its alerts (or copies) to
     */
    static BenchWorkerProcess start(String kind, String name, int run, Map<String, String> config, String output, List<String> jvmOptions,
                                    long records, long warmupRecords, int passes, Path dir) throws IOException {
        config.put("application.id", "bench-" + kind + "-" + run);
        config.put("state.dir", dir.resolve("state" + run).toString());
        Path file = dir.resolve("run" + run + ".properties");
        Properties p = new Properties();
        p.putAll(config);
        try (OutputStream os = Files.newOutputStream(file)) {
            p.store(os, null);
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null) {
            command.add("-Dlogback.configurationFile=" + logback);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DetectorBenchWorker.class.getName(), kind, file.toString(),
                Long.toString(records), Long.toString(warmupRecords), Integer.toString(passes)));
        Path log = dir.getParent().resolve("anomaly-bench-run" + run + ".log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BenchWorkerProcess worker = new BenchWorkerProcess(name, run, output, log, process);
        try {
            worker.expect("READY");
        } catch (IOException | RuntimeException e) {
            worker.close();
            throw e;
        }
        return worker;
    }

    String name() {
        return name;
    }

    int run() {
        return run;
    }

    String output() {
        return output;
    }

    long pid() {
        return process.pid();
    }

    List<MeasuredPass> passes() {
        return List.copyOf(passes);
    }

    /** Runs one measured pass over the backlog, sampling this worker's and the broker's ({@code brokerPid}) CPU. */
    MeasuredPass pass(long records, long brokerPid) throws IOException {
        if (!passes.isEmpty()) {
            expect("READY");
        }
        commands.println("GO");
        expect("FIRST");
        double appCpu0 = ProcessStats.cpuSeconds(pid());
        double brokerCpu0 = ProcessStats.cpuSeconds(brokerPid);
        String[] half = expect("HALF").split(" ");
        double appCpuHalf = ProcessStats.cpuSeconds(pid());
        double brokerCpuHalf = ProcessStats.cpuSeconds(brokerPid);
        String[] done = expect("DONE").split(" ");
        double appCpuDone = ProcessStats.cpuSeconds(pid());
        double brokerCpuDone = ProcessStats.cpuSeconds(brokerPid);
        Pass whole = new Pass(records / Double.parseDouble(done[2]), appCpuDone - appCpu0, brokerCpuDone - brokerCpu0, jit(done));
        double secondHalf = Double.parseDouble(done[2]) - Double.parseDouble(half[2]);
        Pass steady = new Pass(secondHalf > 0 ? (Long.parseLong(done[1]) - Long.parseLong(half[1])) / secondHalf : Double.NaN,
                appCpuDone - appCpuHalf, brokerCpuDone - brokerCpuHalf, jit(done) - jit(half));
        MeasuredPass pass = new MeasuredPass(whole, steady);
        passes.add(pass);
        return pass;
    }

    /**
     * Starts the application under its configured id, which first reads the backlog; returns its count of processed
     * records, kept up to date from the worker's {@code COUNT} lines.
     */
    LongSupplier startLatencyApplication() throws IOException {
        expect("READY");
        commands.println("GO");
        AtomicLong count = new AtomicLong();
        Thread counter = new Thread(() -> {
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    if (line.startsWith("COUNT ")) {
                        count.set(Long.parseLong(line.substring(6).trim()));
                    }
                }
            } catch (IOException e) {
                // worker gone
            }
        }, "bench-worker-count-" + run);
        counter.setDaemon(true);
        counter.start();
        return count::get;
    }

    double peakRssMegabytes() {
        return ProcessStats.peakRssMegabytes(pid());
    }

    /** Stops the worker: it closes its application when its stdin closes. */
    @Override
    public void close() {
        commands.close();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String expect(String prefix) throws IOException {
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new IOException("Benchmark worker of " + name + " ended before '" + prefix + "'; see " + log);
    }

    /** The JIT compile seconds a worker reports after its HALF/DONE figures (NaN from a worker that does not). */
    private static double jit(String[] line) {
        return line.length > 3 ? Double.parseDouble(line[3]) : Double.NaN;
    }
}
