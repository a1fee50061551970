package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.features.Feature;
import dev.anomaly.schemas.features.FeatureSpec;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.trainer.TrainingJob;
import dev.anomaly.trainer.data.Dataset;
import dev.anomaly.trainer.export.OnnxImporter;
import dev.anomaly.trainer.generate.Generator;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.ProgressListener;
import dev.anomaly.trainer.model.TrainingConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The conditional VAE learns "normal for this site": three sites whose two measurements follow different laws. A record
 * normal at site A is scored normal with site A and anomalous with site B, though it is normal somewhere; the site's own
 * columns take no part in the reconstruction; samples under a given site sit where that site's records do.
 */
class ConditionalVaeTest {
    private static final FeatureSpec SPEC = FeatureSpec.of(Feature.numeric("load"), Feature.numeric("flow"),
            Feature.categorical("site", List.of("A", "B", "C")));
    private static final int EPOCHS = 40;
    private static Dataset data;
    private static TrainingJob.Outcome cvae;

    @BeforeAll
    static void train() {
        data = sites(3000, 7);
        cvae = run(7);
    }

    static TrainingJob.Outcome run(long seed) {
        ModelFamily family = ModelFamilies.named("cvae", Map.of(ConditionalVae.CONDITION, "site"));
        TrainingConfig config = TrainingConfig.defaults(family, data.width(), data.rows()).withEpochs(EPOCHS).withSeed(seed);
        return TrainingJob.run(data, config, "sites", 1, ProgressListener.NONE);
    }

    /** Site A: flow = 2 load; B: flow = 10 - load around load 6; C: flow flat at 3 around load -4. */
    static float[] row(SplittableRandom r, int site) {
        double load = switch (site) {
            case 0 -> r.nextGaussian();
            case 1 -> 6 + r.nextGaussian();
            default -> -4 + r.nextGaussian();
        };
        double flow = switch (site) {
            case 0 -> 2 * load;
            case 1 -> 10 - load;
            default -> 3;
        } + 0.1 * r.nextGaussian();
        float[] x = new float[SPEC.width()];
        x[0] = (float) load;
        x[1] = (float) flow;
        x[2 + site] = 1f;
        return x;
    }

    static Dataset sites(int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] values = new float[rows * SPEC.width()];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(row(r, i % 3), 0, values, i * SPEC.width(), SPEC.width());
        }
        return new Dataset(SPEC, values, rows, Optional.empty(), "three sites");
    }

    @Test
    void shouldTrainExportAndBindItsConditionToTheSitesColumns() {
        var history = cvae.network().history();
        assertThat(history.trainLoss().get(history.bestEpoch() - 1)).isLessThan(history.trainLoss().get(0));
        assertThat(cvae.parity().passed()).as("parity %s", cvae.parity()).isTrue();
        assertThat(cvae.parity().max()).isLessThanOrEqualTo(1e-4);
        assertThat(cvae.metadata().kind()).isEqualTo(ModelKind.VAE);
        assertThat(cvae.metadata().hyperParameters())
                .containsEntry(ConditionalVae.CONDITION, "site")
                .containsEntry(ConditionalVae.CONDITION_COLUMNS, "2,3,4,5");
        assertThat(OnnxImporter.read(cvae.onnx()).network().family()).isEqualTo(cvae.network().weights().family());
        assertThat(run(7).validationScores()).containsExactly(cvae.validationScores());
    }

    @Test
    void shouldScoreARecordNormalForItsOwnSiteAndAnomalousForAnother() {
        SplittableRandom r = new SplittableRandom(99);
        int n = 300;
        float[] own = new float[n * SPEC.width()];
        float[] moved = new float[n * SPEC.width()];
        for (int i = 0; i < n; i++) {
            float[] x = row(r, 0);
            System.arraycopy(x, 0, own, i * SPEC.width(), x.length);
            x[2] = 0f;
            x[3] = 1f; // the same measurements, said to come from site B
            System.arraycopy(x, 0, moved, i * SPEC.width(), x.length);
        }
        try (OnnxScoringModel model = OnnxScoringModel.load(cvae.onnx(), ScoringOptions.cpu())) {
            ScoreBatch atA = model.score(own, n);
            ScoreBatch atB = model.score(moved, n);
            int alertsAtA = 0;
            int alertsAtB = 0;
            for (int i = 0; i < n; i++) {
                alertsAtA += cvae.metadata().isAlert(atA.score()[i]) ? 1 : 0;
                alertsAtB += cvae.metadata().isAlert(atB.score()[i]) ? 1 : 0;
            }
            System.out.printf("site A's records: %d of %d alerts as site A, %d as site B%n", alertsAtA, n, alertsAtB);
            assertThat(alertsAtA).isLessThan(n / 20);
            assertThat(alertsAtB).isGreaterThan(n * 9 / 10);
            // The condition's columns are given: no reconstruction term, and they expect their own value.
            int w = SPEC.width();
            for (int i = 0; i < n; i++) {
                for (int j = 2; j < w; j++) {
                    assertThat(atB.expected()[i * w + j]).isEqualTo(moved[i * w + j]);
                }
            }
        }
    }

    @Test
    void shouldSampleRecordsThatFollowTheGivenSitesLaw() {
        var imported = OnnxImporter.read(cvae.onnx());
        Generator generator = Generator.of(imported.network(), SPEC);
        int n = 2000;
        float[] b = generator.sample(n, new SplittableRandom(3), Map.of("site", "B"));
        double[] load = new double[n];
        double[] flow = new double[n];
        for (int i = 0; i < n; i++) {
            float[] x = java.util.Arrays.copyOfRange(b, i * SPEC.width(), (i + 1) * SPEC.width());
            assertThat(x[3]).isEqualTo(1f);
            load[i] = x[0];
            flow[i] = x[1];
        }
        double meanLoad = java.util.Arrays.stream(load).average().orElseThrow();
        double meanFlow = java.util.Arrays.stream(flow).average().orElseThrow();
        double cov = 0;
        double varLoad = 0;
        double varFlow = 0;
        for (int i = 0; i < n; i++) {
            cov += (load[i] - meanLoad) * (flow[i] - meanFlow);
            varLoad += (load[i] - meanLoad) * (load[i] - meanLoad);
            varFlow += (flow[i] - meanFlow) * (flow[i] - meanFlow);
        }
        double correlation = cov / Math.sqrt(varLoad * varFlow);
        System.out.printf("samples at site B: mean load %.3f (law: 6), mean flow %.3f (law: 4), correlation %.3f (law: -1)%n",
                meanLoad, meanFlow, correlation);
        // The correlation is printed, not held: in 40 epochs the decoder leans on the site more than on the code.
        assertThat(meanLoad).isBetween(5.5, 6.5);
        assertThat(meanFlow).isBetween(3.5, 4.5);
        float[] a = generator.sample(n, new SplittableRandom(3), Map.of("site", "A"));
        double meanLoadA = 0;
        for (int i = 0; i < n; i++) {
            meanLoadA += a[i * SPEC.width()] / n;
        }
        assertThat(meanLoadA).as("site A's samples").isBetween(-0.5, 0.5);
        assertThatThrownBy(() -> generator.sample(10, new SplittableRandom(3), Map.of("site", "Z")))
                .hasMessageContaining("not one of its values");
    }

    /** A numeric condition is cut at quantile edges; the bucketed feature is what the model's spec (and the detector) reads. */
    @Test
    void shouldBucketANumericCondition() {
        ModelFamily byLoad = ModelFamilies.named("cvae", Map.of(ConditionalVae.CONDITION, "load:3"));
        Dataset prepared = byLoad.prepare(data);
        Feature load = prepared.spec().features().get(0);
        assertThat(load.type()).isEqualTo(dev.anomaly.schemas.features.FeatureType.BUCKETED);
        assertThat(load.edges()).hasSize(2);
        assertThat(prepared.width()).isEqualTo(data.width() + 2);
        int[] perBucket = new int[3];
        for (int r = 0; r < prepared.rows(); r++) {
            float sum = 0;
            for (int b = 0; b < 3; b++) {
                sum += prepared.get(r, b);
                perBucket[b] += (int) prepared.get(r, b);
            }
            assertThat(sum).isEqualTo(1f);
            assertThat(prepared.get(r, 3)).isEqualTo(data.get(r, 1)); // flow, shifted two columns right
            assertThat(load.bucket(data.get(r, 0))).isEqualTo(prepared.get(r, 0) == 1f ? 0 : prepared.get(r, 1) == 1f ? 1 : 2);
        }
        System.out.printf("load cut at %s: %s rows per bucket%n", load.edges(), java.util.Arrays.toString(perBucket));
        for (int count : perBucket) {
            assertThat(count).isBetween(data.rows() / 3 - 50, data.rows() / 3 + 50);
        }
        assertThat(((ConditionalVae) byLoad.forSpec(prepared.spec())).columns()).containsExactly(0, 1, 2);
    }

    @Test
    void shouldRefuseAConditionThatIsMissingOrNumeric() {
        assertThatThrownBy(() -> ModelFamilies.named("cvae", Map.of())).hasMessageContaining("cvae needs --condition");
        ModelFamily numeric = ModelFamilies.named("cvae", Map.of(ConditionalVae.CONDITION, "load"));
        assertThatThrownBy(() -> numeric.forSpec(SPEC)).hasMessageContaining("a numeric feature is a condition once bucketed");
        ModelFamily unknown = ModelFamilies.named("cvae", Map.of(ConditionalVae.CONDITION, "pump"));
        assertThatThrownBy(() -> unknown.forSpec(SPEC)).hasMessageContaining("no such feature");
    }
}
