package dev.anomaly.bench.kernel;

import dev.anomaly.bench.training.TrainingBenchmark;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.family.ModelFamilies;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.scoring.Baseline;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.export.OnnxExporter;
import dev.anomaly.trainer.model.Activation;
import dev.anomaly.trainer.model.NetworkTrainer;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.Scaling;
import dev.anomaly.trainer.model.TrainedNetwork;
import dev.anomaly.trainer.model.TrainingConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Scoring kernel: one ONNX Runtime call on a batch of F = 30 raw rows (AE 30-64-8-64-30, VAE enc 64 / latent 8 /
 * dec 64, one intra-op thread), and DL4J's forward pass of the same network on the same batch as the peer. Two
 * ONNX Runtime figures: every row explained ({@code onnxRuntime}), and the detector's path, scores for all rows and
 * explanations only for the 2 % above the threshold ({@code onnxRuntimeExplainingAlerts}).
 * Throughput in calls/s; records/s = calls/s x batch.
 */
@State(Scope.Benchmark)
public class ScoringKernelBenchmark {
    @Param({"AE", "VAE"})
    public String kind;

    @Param({"1", "8", "64", "512", "4096"})
    public int batch;

    private OnnxScoringModel onnx;
    private TrainedNetwork network;
    private float[] rows;
    private double threshold;

    @Setup(Level.Trial)
    public void setUp() {
        ModelKind k = ModelKind.valueOf(kind);
        Dataset data = TrainingBenchmark.synthetic(5000, 30, 1);
        Dataset validation = data.select(new int[]{0, 1, 2, 3}, "tiny");
        ModelFamily family = ModelFamilies.of(k);
        TrainingConfig config = new TrainingConfig(family, new int[]{64}, 8, family.defaultActivation(), 1, 256,
                1e-3, 0, 0.2, 5, 1, 0, Scaling.STANDARD, 0.01, OptionalDouble.empty());
        network = NetworkTrainer.train(data, validation, Normalizer.fit(data, Scaling.STANDARD), config, ProgressListener.NONE);
        double[] p = Baseline.DEFAULT_PROBABILITIES;
        ModelMetadata meta = new ModelMetadata("bench", 1, k, data.spec(), 1.0, 0.01, new Baseline(p, new double[p.length], Map.of(), 0),
                "", Map.of(), Map.of(), Instant.EPOCH);
        onnx = OnnxScoringModel.load(OnnxExporter.export(network.weights(), meta), ScoringOptions.cpu());
        rows = java.util.Arrays.copyOf(data.values(), batch * 30);
        float[] scores = onnx.score(data.values(), data.rows()).score().clone();
        java.util.Arrays.sort(scores);
        threshold = scores[(int) (0.98 * scores.length)]; // about 2 % of the rows alert, as in the end-to-end benchmark
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        onnx.close();
    }

    @Benchmark
    public ScoreBatch onnxRuntime() {
        return onnx.score(rows, batch);
    }

    @Benchmark
    public ScoreBatch onnxRuntimeExplainingAlerts() {
        return onnx.scoreExplainingAbove(rows, batch, threshold);
    }

    @Benchmark
    public float[][] dl4j() {
        return network.dl4jForward(rows, batch);
    }
}
