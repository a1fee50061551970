package dev.anomaly.detector.scoring;

import dev.anomaly.detector.TestModels;
import dev.anomaly.schemas.avro.MachineTelemetry;
import dev.anomaly.scoring.ScoringOptions;
import dev.anomaly.schemas.registry.InMemorySchemaRegistry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A model whose fit to the input cannot be checked yet waits, not serving, and is checked once the schema appears. */
class ModelAdmissionTest {
    private static final String SCOPE = "admission-test";
    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(SCOPE);
    private final List<String> rejections = new ArrayList<>();

    @AfterEach
    void tearDown() {
        InMemorySchemaRegistry.drop(SCOPE);
    }

    private ModelAdmission admission(ModelHolder holder) {
        return new ModelAdmission(holder, ScoringOptions.cpu(), 64, () -> InputSchemas.lookup(registry, List.of("telemetry")),
                (candidate, why) -> rejections.add(candidate.source() + ": " + why));
    }

    @Test
    void shouldNeverServeAMisfitModelThatArrivedBeforeTheInputSchema() {
        try (ModelHolder holder = new ModelHolder(); ModelAdmission admission = admission(holder)) {
            var outcome = admission.offer(TestModels.centreModel("pumps", 1, 5), "file pumps.onnx", null);
            assertThat(outcome.verdict()).isEqualTo(ModelAdmission.Verdict.WAITING_FOR_SCHEMA);
            assertThat(holder.metadata()).isEmpty();
            assertThat(admission.recheck()).get().extracting(ModelAdmission.Outcome::verdict).isEqualTo(ModelAdmission.Verdict.WAITING_FOR_SCHEMA);

            Schema other = SchemaBuilder.record("Other").fields().requiredDouble("rpm").requiredString("powerKw").endRecord();
            registry.register("telemetry-value", other);
            assertThat(admission.recheck()).get().satisfies(o -> {
                assertThat(o.verdict()).isEqualTo(ModelAdmission.Verdict.REJECTED);
                assertThat(o.message()).contains("powerKw");
            });
            assertThat(holder.metadata()).isEmpty();
            assertThat(admission.waiting()).isEmpty();
            assertThat(rejections).singleElement().asString().startsWith("file pumps.onnx");
        }
    }

    @Test
    void shouldServeAWaitingModelOnceTheInputSchemaFits() {
        try (ModelHolder holder = new ModelHolder(); ModelAdmission admission = admission(holder)) {
            admission.offer(TestModels.centreModel("pumps", 1, 5), "release pumps v1", new ModelAdmission.Expected("pumps", 1));
            admission.offer(TestModels.centreModel("pumps", 2, 5), "release pumps v2", new ModelAdmission.Expected("pumps", 2));
            assertThat(admission.waiting()).get().extracting(m -> m.version()).isEqualTo(2); // the newer one replaced it

            registry.register("telemetry-value", MachineTelemetry.getClassSchema());
            assertThat(admission.recheck()).get().extracting(ModelAdmission.Outcome::verdict).isEqualTo(ModelAdmission.Verdict.SERVING);
            assertThat(holder.serving().version()).isEqualTo(2);
            assertThat(admission.recheck()).isEmpty();
        }
    }

    @Test
    void shouldRejectAReleaseWhoseMetadataContradictsIt() {
        registry.register("telemetry-value", MachineTelemetry.getClassSchema());
        try (ModelHolder holder = new ModelHolder(); ModelAdmission admission = admission(holder)) {
            var outcome = admission.offer(TestModels.centreModel("pumps", 1, 5), "release pumps v7", new ModelAdmission.Expected("pumps", 7));
            assertThat(outcome.verdict()).isEqualTo(ModelAdmission.Verdict.REJECTED);
            assertThat(outcome.message()).contains("release says pumps v7");
            assertThat(holder.metadata()).isEmpty();
        }
    }

    /** Rows like the centre model's baseline (each column uniform over centre +- 1.5 scales). */
    private static float[] rows(java.util.SplittableRandom random, int n) {
        int f = TestModels.CENTER.length;
        float[] v = new float[n * f];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < f; j++) {
                v[r * f + j] = (float) (TestModels.CENTER[j] + TestModels.SCALE[j] * (random.nextDouble() - 0.5) * 3);
            }
        }
        return v;
    }

    /** The threshold at which about 1 % of such rows alert, as a calibrated model would have. */
    private static double calibrated() {
        float[] v = rows(new java.util.SplittableRandom(99), 20_000);
        int f = TestModels.CENTER.length;
        double[] scores = new double[20_000];
        for (int r = 0; r < scores.length; r++) {
            double[] x = new double[f];
            for (int j = 0; j < f; j++) {
                x[j] = v[r * f + j];
            }
            scores[r] = TestModels.expectedScore(x);
        }
        java.util.Arrays.sort(scores);
        return scores[(int) (0.99 * scores.length)];
    }

    private static void feed(ModelHolder holder, int batches, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int b = 0; b < batches; b++) {
            float[] v = rows(random, 100);
            holder.score(model -> new ModelHolder.Extracted(v, 100));
        }
    }

    @Test
    void shouldPromoteACandidateWhoseShadowAlertRateMatchesItsTargetAndRejectOneThatDoesNot() {
        registry.register("telemetry-value", MachineTelemetry.getClassSchema());
        List<String> served = new ArrayList<>();
        ModelAdmission.Listener listener = new ModelAdmission.Listener() {
            @Override
            public void rejected(ModelAdmission.Candidate candidate, String why) {
                rejections.add(candidate.source() + ": " + why);
            }

            @Override
            public void served(ModelAdmission.Candidate candidate, String note) {
                served.add(candidate.source() + (note == null ? "" : ": " + note));
            }
        };
        try (ModelHolder holder = new ModelHolder(ModelHolder.Events.NONE, 0);
             ModelAdmission admission = new ModelAdmission(holder, ScoringOptions.cpu(), 64,
                     () -> InputSchemas.lookup(registry, List.of("telemetry")), listener, new ModelAdmission.Shadow(2000, 3.0))) {
            assertThat(admission.offer(TestModels.centreModel("pumps", 1, 10), "v1", null).verdict()).isEqualTo(ModelAdmission.Verdict.SERVING);

            // v2: calibrated to alert on 1 % of such records - promoted after 2,000 records in shadow.
            assertThat(admission.offer(TestModels.centreModel("pumps", 2, calibrated()), "v2", null).verdict())
                    .isEqualTo(ModelAdmission.Verdict.SHADOW);
            feed(holder, 10, 1);
            assertThat(holder.serving().version()).as("still in shadow after 1,000 records").isEqualTo(1);
            assertThat(holder.shadowTrial()).get().extracting(ShadowTrial::scored).isEqualTo(1000L);
            feed(holder, 10, 2);
            assertThat(holder.serving().version()).isEqualTo(2);
            assertThat(holder.shadowTrial()).isEmpty();
            assertThat(served).last().asString().startsWith("v2: promoted in shadow on 2000 records: alert rate 0.0")
                    .contains("(target 0.0100; serving v1 0.0000)");

            // v3: a threshold that alerts on nearly everything - rejected; v2 keeps serving.
            admission.offer(TestModels.centreModel("pumps", 3, 0.05), "v3", null);
            feed(holder, 20, 3);
            assertThat(holder.serving().version()).isEqualTo(2);
            assertThat(rejections).last().asString().startsWith("v3: rejected in shadow on 2000 records").endsWith("above 3.0 x target");

            // v4 then v5 before v4 finished: v4 is superseded.
            admission.offer(TestModels.centreModel("pumps", 4, calibrated()), "v4", null);
            feed(holder, 5, 4);
            admission.offer(TestModels.centreModel("pumps", 5, calibrated()), "v5", null);
            assertThat(rejections).last().asString().isEqualTo("v4: superseded by v5 while in shadow");
            assertThat(holder.shadowTrial()).get().extracting(t -> t.metadata().version()).isEqualTo(5);
        }
    }
}
