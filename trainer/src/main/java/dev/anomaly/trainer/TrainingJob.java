package dev.anomaly.trainer;

import dev.anomaly.scoring.Baseline;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.trainer.data.DataException;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.eval.Metrics;
import dev.anomaly.trainer.eval.ThresholdCalibrator;
import dev.anomaly.trainer.export.OnnxExporter;
import dev.anomaly.trainer.export.ParityCheck;
import dev.anomaly.trainer.export.ParityReport;
import dev.anomaly.trainer.model.NetworkTrainer;
import dev.anomaly.trainer.model.Normalizer;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.ReferenceScorer;
import dev.anomaly.trainer.model.TrainedNetwork;
import dev.anomaly.trainer.model.TrainingConfig;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One training run from data to a verified ONNX model: split (seeded) into training and held-out rows, fit the
 * normaliser and the network, export, score the held-out rows with the exported model, calibrate the threshold on them,
 * record baseline statistics, export again with the final metadata, and check parity of that file.
 */
public final class TrainingJob {
    private TrainingJob() {
    }

    /** Evaluation against labels on the held-out rows. */
    public record Evaluation(double auroc, double auprc, Metrics.AtThreshold atThreshold, int rows, int anomalies) {
    }

    /**
     * @param validationScores scores of the held-out rows by the exported model
     * @param validationLatent latent codes (AE) or means (VAE) of the held-out rows, row-major
     */
    public record Outcome(byte[] onnx, ModelMetadata metadata, TrainedNetwork network, Dataset train, Dataset validation,
                          double[] validationScores, float[] validationLatent, ParityReport parity, Optional<Evaluation> evaluation) {
    }

    public static Outcome run(Dataset data, TrainingConfig config, String modelId, int version, ProgressListener progress) {
        if (data.rows() < 20) {
            throw new DataException(data.source() + ": " + data.rows() + " rows is too few to train on (need at least 20)");
        }
        data = config.family().prepare(data);
        config = config.withFamily(config.family().forSpec(data.spec()));
        Dataset[] split = split(data, config.validationFraction(), config.seed());
        Dataset train = split[0];
        Dataset validation = split[1];
        Normalizer normalizer = Normalizer.fit(train, config.scaling());
        TrainedNetwork network = NetworkTrainer.train(train, validation, normalizer, config, progress);

        Instant createdAt = Instant.now();
        ModelMetadata provisional = metadata(modelId, version, data, config, 0, Baseline.DEFAULT_PROBABILITIES,
                new double[Baseline.DEFAULT_PROBABILITIES.length], train, Map.of(), createdAt);
        double[] validationScores = scores(OnnxExporter.export(network.weights(), provisional), validation);
        double threshold = ThresholdCalibrator.calibrate(validationScores, config.targetAlertRate());

        Map<String, Double> metrics = new LinkedHashMap<>();
        var history = network.history();
        metrics.put("train_loss", history.trainLoss().get(history.bestEpoch() - 1));
        metrics.put("validation_loss", history.validationLoss().get(history.bestEpoch() - 1));
        metrics.put("epochs", (double) history.epochs());
        metrics.put("best_epoch", (double) history.bestEpoch());
        metrics.put("seconds_per_epoch", history.secondsPerEpoch());
        metrics.put("train_rows", (double) train.rows());
        metrics.put("validation_rows", (double) validation.rows());
        // The held-out score range: a detector refuses a model whose threshold lies outside it (ModelMetadata#thresholdProblem).
        metrics.put(ModelMetadata.HELDOUT_SCORE_MIN, java.util.Arrays.stream(validationScores).min().orElse(0));
        metrics.put(ModelMetadata.HELDOUT_SCORE_MAX, java.util.Arrays.stream(validationScores).max().orElse(0));
        Optional<Evaluation> evaluation = validation.labels().map(labels -> evaluate(validationScores, labels, threshold));
        evaluation.ifPresent(e -> {
            metrics.put("auroc", e.auroc());
            metrics.put("auprc", e.auprc());
            metrics.put("precision", e.atThreshold().precision());
            metrics.put("recall", e.atThreshold().recall());
            metrics.put("f1", e.atThreshold().f1());
        });

        ModelMetadata finalMetadata = metadata(modelId, version, data, config, threshold, Baseline.DEFAULT_PROBABILITIES,
                Baseline.quantiles(validationScores, Baseline.DEFAULT_PROBABILITIES), train, metrics, createdAt);
        byte[] onnx = OnnxExporter.export(network.weights(), finalMetadata);
        ParityReport parity = ParityCheck.verify(onnx, network.weights(), network::dl4jForward, validation.values(), validation.rows());
        float[] latent = ReferenceScorer.score(network.weights(), validation.values(), validation.rows()).latent();
        return new Outcome(onnx, finalMetadata, network, train, validation, validationScores, latent, parity, evaluation);
    }

    static Evaluation evaluate(double[] scores, int[] labels, double threshold) {
        int anomalies = 0;
        for (int l : labels) {
            anomalies += l;
        }
        return new Evaluation(Metrics.auroc(scores, labels), Metrics.averagePrecision(scores, labels),
                Metrics.atThreshold(scores, labels, threshold), labels.length, anomalies);
    }

    /** Scores rows with an exported model in ONNX Runtime, in batches. */
    public static double[] scores(byte[] onnx, Dataset rows) {
        try (OnnxScoringModel model = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            return scores(model, rows);
        }
    }

    public static double[] scores(OnnxScoringModel model, Dataset rows) {
        double[] out = new double[rows.rows()];
        int w = rows.width();
        int batch = 4096;
        float[] buffer = new float[batch * w];
        for (int from = 0; from < rows.rows(); from += batch) {
            int n = Math.min(batch, rows.rows() - from);
            System.arraycopy(rows.values(), from * w, buffer, 0, n * w);
            ScoreBatch s = model.score(buffer, n);
            for (int i = 0; i < n; i++) {
                out[from + i] = s.score()[i];
            }
        }
        return out;
    }

    private static ModelMetadata metadata(String modelId, int version, Dataset data, TrainingConfig config, double threshold,
                                          double[] probabilities, double[] scoreQuantiles, Dataset train,
                                          Map<String, Double> metrics, Instant createdAt) {
        Map<String, double[]> featureQuantiles = new LinkedHashMap<>();
        List<String> columns = data.spec().columnNames();
        double[] column = new double[train.rows()];
        for (int j = 0; j < columns.size(); j++) {
            for (int i = 0; i < train.rows(); i++) {
                column[i] = train.get(i, j);
            }
            featureQuantiles.put(columns.get(j), Baseline.quantiles(column, probabilities));
        }
        Baseline baseline = new Baseline(probabilities, scoreQuantiles, featureQuantiles, train.rows());
        return new ModelMetadata(modelId, version, config.family().kind(), data.spec(), threshold, config.targetAlertRate(), baseline,
                train.fingerprint(), config.describe(), metrics, createdAt);
    }

    /** Seeded shuffle split: {training, held-out}. */
    static Dataset[] split(Dataset data, double validationFraction, long seed) {
        int n = data.rows();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int nVal = Math.max(1, (int) Math.round(n * validationFraction));
        int[] val = java.util.Arrays.copyOfRange(order, 0, nVal);
        int[] tr = java.util.Arrays.copyOfRange(order, nVal, n);
        java.util.Arrays.sort(val);
        java.util.Arrays.sort(tr);
        return new Dataset[]{data.select(tr, "training split"), data.select(val, "held-out split")};
    }
}
