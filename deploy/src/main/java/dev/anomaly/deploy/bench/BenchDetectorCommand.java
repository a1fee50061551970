package dev.anomaly.deploy.bench;

import dev.anomaly.trainer.bench.BenchmarkReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code anomaly bench detector}: records/s of the detector on the embedded stack. Prints numbers; not a test. */
@Command(name = "detector", mixinStandardHelpOptions = true,
        description = "Detector throughput on the embedded stack (real broker and registry, Avro in and out), against pass-through and a no-op limit.")
public final class BenchDetectorCommand implements Callable<Integer> {
    @Option(names = "--records", defaultValue = "200000", description = "Records to pre-load (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,64,512", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--guarantees", split = ",", defaultValue = "exactly_once_v2,at_least_once", description = "Processing guarantees (default: ${DEFAULT-VALUE}).")
    List<String> guarantees;

    @Option(names = "--threads", split = ",", defaultValue = "1", description = "Stream threads per run, e.g. 1,2 (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--json", description = "Also write the figures as JSON to this file.")
    Path json;

    @Override
    public Integer call() throws Exception {
        new BenchmarkReport("detector").put("records", records)
                .putAll(DetectorThroughputBenchmark.run(records, batchSizes, guarantees, threads, System.out))
                .finish("detector", json);
        return 0;
    }
}
