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
}
