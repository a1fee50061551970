package dev.anomaly.bench.detector;

import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The benchmark's input: records of {@code F} numeric features (Avro doubles) correlated through 8 latent factors,
 * with a fraction of anomalies — a few features pushed 6 standard deviations out, or one feature decoupled from the
 * factors. Deterministic for a seed. Keys are the record's sequence number in decimal, so that a reference topology
 * can look its flag up without parsing the value.
 */
final class SyntheticReadings {
    private static final int FACTORS = 8;

    private final int features;
    private final double anomalyRate;
    private final double[][] mix;
    private final double[] sd;
    private final Schema schema;
    private final SplittableRandom random;

    SyntheticReadings(int features, double anomalyRate, long seed) {
        this.features = features;
        this.anomalyRate = anomalyRate;
        SplittableRandom structure = new SplittableRandom(1234); // the same correlation structure for every seed
        mix = new double[FACTORS][features];
        sd = new double[features];
        for (int j = 0; j < features; j++) {
            double var = 0.01;
            for (int k = 0; k < FACTORS; k++) {
                mix[k][j] = structure.nextGaussian();
                var += mix[k][j] * mix[k][j];
            }
            sd[j] = Math.sqrt(var);
        }
        this.schema = schema(features);
        this.random = new SplittableRandom(seed);
    }

    static Schema schema(int features) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record("BenchReading").namespace("dev.anomaly.bench")
                .doc("Synthetic benchmark input: numeric features correlated through latent factors").fields();
        for (int j = 0; j < features; j++) {
            fields = fields.requiredDouble(name(j));
        }
        return fields.endRecord();
    }

    static FeatureSpec spec(int features) {
        List<Feature> list = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            list.add(Feature.numeric(name(j)));
        }
        return new FeatureSpec(list, null);
    }

    private static String name(int j) {
        return String.format("f%02d", j);
    }

    static byte[] key(long sequence) {
        return Long.toString(sequence).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The sequence number in a key written by {@link #key}, without allocating; -1 if it is not one. */
    static long sequence(byte[] key) {
        if (key == null || key.length == 0) {
            return -1;
        }
        long v = 0;
        for (byte b : key) {
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    GenericRecord next() {
        double[] f = new double[FACTORS];
        for (int k = 0; k < FACTORS; k++) {
            f[k] = random.nextGaussian();
        }
        double[] v = new double[features];
        for (int j = 0; j < features; j++) {
            double x = 0.1 * random.nextGaussian();
            for (int k = 0; k < FACTORS; k++) {
                x += f[k] * mix[k][j];
            }
            v[j] = x;
        }
        if (random.nextDouble() < anomalyRate) {
            if (random.nextBoolean()) {
                for (int n = 0; n < 3; n++) {
                    int j = random.nextInt(features);
                    v[j] += (random.nextBoolean() ? 6 : -6) * sd[j];
                }
            } else {
                int j = random.nextInt(features);
                v[j] = 2 * sd[j] * random.nextGaussian(); // decoupled from the factors
            }
        }
        GenericData.Record r = new GenericData.Record(schema);
        for (int j = 0; j < features; j++) {
            r.put(j, v[j]);
        }
        return r;
    }
}
