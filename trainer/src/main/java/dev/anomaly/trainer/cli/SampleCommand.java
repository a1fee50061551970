package dev.anomaly.trainer.cli;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.schemas.features.FeatureType;
import dev.anomaly.schemas.serde.GenericAvroSerde;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.data.AvroFileData;
import dev.anomaly.trainer.data.CsvData;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.data.RecordData;
import dev.anomaly.trainer.model.NetworkWeights;
import dev.anomaly.trainer.export.OnnxImporter;
import dev.anomaly.trainer.generate.Generator;
import dev.anomaly.trainer.generate.SampleRecords;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code anomaly sample}: a VAE as a generator of synthetic normal records. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Draw synthetic records from a trained VAE (or interpolate between two records); write CSV, Avro or a topic.",
        description = {"A VAE is a generative model: codes drawn from its prior decode to records like the normal ones it was"
                + " trained on (for load tests, demos, or data that cannot be shared). The records are scored by the same model"
                + " and the share above its threshold is printed, with each feature's mean and standard deviation.",
                "--interpolate A,B decodes the straight line between the codes of rows A and B (1-based) of --data.",
                "A plain autoencoder (ae) is refused: its latent space is not regularised. Exit codes: 0 ok, 2 bad options, 4 bad model."})
public final class SampleCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A vae, cvae or vqvae model written by 'anomaly train'.")
    Path model;

    @Option(names = {"-n", "--records"}, defaultValue = "1000", description = "Records to draw (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed: the same model and seed give the same records (default: ${DEFAULT-VALUE}).")
    long seed;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Output output;

    static final class Output {
        @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE: .csv (a column per feature) or .avro (a flat record per sample).")
        Path file;

        @Option(names = "--topic", description = "Produce Confluent-wire Avro records to this topic instead.")
        String topic;
    }

    @Option(names = "--condition", paramLabel = "FIELD=VALUE", description = "cvae: the condition to sample under, e.g."
            + " --condition site=B (repeatable); a condition not given takes one of its values at random per record.")
    Map<String, String> condition;

    @Option(names = "--interpolate", split = ",", paramLabel = "A,B", description = "Rows A and B (1-based) of --data to interpolate between, instead of sampling.")
    List<Integer> interpolate;

    @Option(names = "--steps", defaultValue = "10", description = "With --interpolate: records along the line, both ends included (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--data", paramLabel = "FILE", description = "With --interpolate: the CSV or Avro file the two rows come from."
            + " When sampling: the training data to compare the samples' means and spreads with (default: the model's own"
            + " standardisation figures).")
    Path data;

    /** With --topic: where to produce. */
    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws IOException {
        if (records < 1) {
            throw new IllegalArgumentException("--records must be at least 1");
        }
        byte[] onnx = Files.readAllBytes(model);
        OnnxImporter.Imported imported = OnnxImporter.read(onnx);
        ModelMetadata meta = imported.metadata();
        Generator generator = Generator.of(imported.network(), meta.featureSpec());
        FeatureSpec spec = meta.featureSpec();
        float[] rows;
        int n;
        if (interpolate != null) {
            rows = interpolation(generator, spec);
            n = steps;
        } else {
            rows = generator.sample(records, new SplittableRandom(seed), condition == null ? Map.of() : condition);
            n = records;
        }
        write(spec, rows, n);
        try (OnnxScoringModel scorer = OnnxScoringModel.load(onnx, ScoringOptions.cpu())) {
            ScoreBatch s = scorer.score(rows, n);
            long above = 0;
            for (float v : s.score()) {
                above += meta.isAlert(v) ? 1 : 0;
            }
            System.err.printf("%s %d records with %s v%d: %d above its threshold %.6g (%.2f %%)%n", interpolate != null ? "Interpolated"
                    : "Sampled", n, meta.modelId(), meta.version(), above, meta.threshold(), 100.0 * above / n);
        }
        System.err.print(Statistics.of(spec, rows, n).table(interpolate != null ? Optional.empty() : training(meta, imported.network())));
        return ExitCodes.OK;
    }

    private float[] interpolation(Generator generator, FeatureSpec spec) {
        if (interpolate.size() != 2 || data == null) {
            throw new IllegalArgumentException("--interpolate A,B needs two row numbers and --data FILE");
        }
        Dataset d = read(spec);
        int w = d.width();
        float[][] ends = new float[2][];
        for (int i = 0; i < 2; i++) {
            int row = interpolate.get(i);
            if (row < 1 || row > d.rows()) {
                throw new IllegalArgumentException("--interpolate: row " + row + " is not in " + data + " (1.." + d.rows() + ")");
            }
            ends[i] = java.util.Arrays.copyOfRange(d.values(), (row - 1) * w, row * w);
        }
        return generator.interpolate(ends[0], ends[1], steps);
    }

    private Dataset read(FeatureSpec spec) {
        String name = data.getFileName().toString().toLowerCase();
        if (name.endsWith(".csv")) {
            return CsvData.read(data, Optional.empty(), spec);
        }
        if (name.endsWith(".avro")) {
            return RecordData.toDataset(AvroFileData.records(data), spec, Optional.empty(), data.toString());
        }
        throw new IllegalArgumentException("--data must be a .csv or .avro file");
    }

    private void write(FeatureSpec spec, float[] rows, int n) throws IOException {
        if (output.topic != null) {
            produce(spec, rows, n);
            return;
        }
        Path file = output.file;
        String name = file.getFileName().toString().toLowerCase();
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        if (name.endsWith(".csv")) {
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write(spec.features().stream().map(f -> f.name()).collect(Collectors.joining(",")) + "\n");
                for (int r = 0; r < n; r++) {
                    w.write(SampleRecords.values(spec, rows, r).stream().map(String::valueOf).collect(Collectors.joining(",")) + "\n");
                }
            }
        } else if (name.endsWith(".avro")) {
            Schema schema = SampleRecords.schema(spec, "Sample");
            try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
                w.create(schema, file.toFile());
                for (int r = 0; r < n; r++) {
                    w.append(SampleRecords.record(schema, spec, rows, r));
                }
            }
        } else {
            throw new IllegalArgumentException("--out must end in .csv or .avro");
        }
        System.err.println("Wrote " + n + " records to " + file);
    }

    private void produce(FeatureSpec spec, float[] rows, int n) {
        Map<String, Object> config = kafka.config("--topic");
        Schema schema = SampleRecords.schema(spec, "Sample");
        GenericAvroSerde serde = new GenericAvroSerde();
        serde.configure(config, false);
        try (KafkaProducer<String, GenericRecord> producer = new KafkaProducer<>(config, new StringSerializer(), serde.serializer())) {
            for (int r = 0; r < n; r++) {
                producer.send(new ProducerRecord<>(output.topic, "sample-" + r, SampleRecords.record(schema, spec, rows, r)));
            }
            producer.flush();
        }
        System.err.println("Produced " + n + " records to " + output.topic);
    }

    /**
     * The training data's numeric means and standard deviations: from {@code --data} when given, else from the model's
     * normaliser when it standardised (it then holds exactly those), else none.
     */
    private Optional<Statistics> training(ModelMetadata meta, NetworkWeights net) {
        FeatureSpec spec = meta.featureSpec();
        if (data != null) {
            Dataset d = read(spec);
            return Optional.of(Statistics.of(spec, d.values(), d.rows()));
        }
        if (!"standard".equals(meta.hyperParameters().get("scaling"))) {
            return Optional.empty();
        }
        double[] mean = new double[spec.width()];
        double[] sd = new double[spec.width()];
        for (int j = 0; j < spec.width(); j++) {
            mean[j] = net.normalizer().center()[j];
            sd[j] = net.normalizer().scale()[j];
        }
        return Optional.of(new Statistics(spec, mean, sd));
    }

    /** Each numeric column's mean and standard deviation, in raw units. */
    record Statistics(FeatureSpec spec, double[] mean, double[] sd) {
        static Statistics of(FeatureSpec spec, float[] rows, int n) {
            int w = spec.width();
            double[] mean = new double[w];
            double[] sd = new double[w];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < w; j++) {
                    mean[j] += rows[r * w + j] / (double) n;
                }
            }
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < w; j++) {
                    double d = rows[r * w + j] - mean[j];
                    sd[j] += d * d / Math.max(1, n - 1);
                }
            }
            for (int j = 0; j < w; j++) {
                sd[j] = Math.sqrt(sd[j]);
            }
            return new Statistics(spec, mean, sd);
        }

        /** The numeric columns; beside the training data's figures, how far the mean moved (in training sds) and the sd ratio. */
        String table(Optional<Statistics> training) {
            StringBuilder b = new StringBuilder();
            if (training.isPresent()) {
                b.append(String.format("  %-20s %13s %13s %13s %13s %12s %9s%n", "column", "training mean", "sampled mean",
                        "training sd", "sampled sd", "mean shift", "sd ratio"));
            } else {
                b.append(String.format("  %-20s %13s %13s%n", "column", "sampled mean", "sampled sd"));
            }
            int col = 0;
            for (Feature f : spec.features()) {
                if (f.type() == FeatureType.NUMERIC) {
                    if (training.isPresent()) {
                        Statistics t = training.get();
                        b.append(String.format("  %-20s %13.6g %13.6g %13.6g %13.6g %9.3f sd %9.3f%n", f.name(), t.mean[col], mean[col],
                                t.sd[col], sd[col], Math.abs(mean[col] - t.mean[col]) / t.sd[col], sd[col] / t.sd[col]));
                    } else {
                        b.append(String.format("  %-20s %13.6g %13.6g%n", f.name(), mean[col], sd[col]));
                    }
                }
                col += f.width();
            }
            return b.toString();
        }
    }
}
