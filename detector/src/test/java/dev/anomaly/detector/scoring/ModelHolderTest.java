package dev.anomaly.detector.scoring;

import dev.anomaly.detector.FaultyModels;
import dev.anomaly.detector.TestModels;
import dev.anomaly.scoring.BatchScorer;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.onnx.OnnxScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Model faults on live data: the previous model serves again during probation; after it, bad rows are isolated. */
class ModelHolderTest {
    private static final int W = TestModels.CENTER.length;

    private static OnnxScoringModel load(byte[] onnx) {
        return OnnxScoringModel.load(onnx, ScoringOptions.cpu());
    }

    /** {@code n} rows at the centre, except the rows in {@code hot}, whose rpm is 10,000. */
    private static float[] rows(int n, int... hot) {
        float[] rows = new float[n * W];
        for (int i = 0; i < n; i++) {
            System.arraycopy(TestModels.CENTER, 0, rows, i * W, W);
        }
        for (int h : hot) {
            rows[h * W] = 10_000f;
        }
        return rows;
    }

    private static final class Recorder implements ModelHolder.Events {
        final List<String> reverts = new ArrayList<>();

        @Override
        public void reverted(ModelMetadata failed, ModelMetadata restored, String why) {
            reverts.add("v" + failed.version() + "->v" + restored.version());
        }
    }

    @Test
    void shouldServeThePreviousModelAgainWhenTheNewOneThrowsDuringProbation() {
        Recorder events = new Recorder();
        try (ModelHolder holder = new ModelHolder(events, 1_000)) {
            holder.swap(load(TestModels.centreModel("pumps", 1, 10)));
            holder.swap(load(FaultyModels.throwingOnRowsAbove(TestModels.centreModel("pumps", 2, 10), 0, 5_000f)));
            ModelHolder.Scored s = holder.scoreRows(TestModels.SPEC, rows(8, 3), 8);

            assertThat(s.model().version()).isEqualTo(1);
            assertThat(s.faults()).isEmpty();
            assertThat(s.batch().score()[3]).isGreaterThan(10f); // scored by v1: an alert, not a failure
            assertThat(events.reverts).containsExactly("v2->v1");
            assertThat(holder.serving().version()).isEqualTo(1);
            assertThat(holder.hasFailed("pumps", 2)).isTrue();
        }
    }

    @Test
    void shouldServeThePreviousModelAgainWhenTheNewOneScoresNaNDuringProbation() {
        Recorder events = new Recorder();
        try (ModelHolder holder = new ModelHolder(events, 1_000)) {
            holder.swap(load(TestModels.centreModel("pumps", 1, 10)));
            holder.swap(load(FaultyModels.nanOnRowsAbove(TestModels.centreModel("pumps", 2, 10), 0, 5_000f)));
            ModelHolder.Scored s = holder.scoreRows(TestModels.SPEC, rows(4, 1), 4);

            assertThat(s.model().version()).isEqualTo(1);
            assertThat(s.faults()).isEmpty();
            assertThat(events.reverts).containsExactly("v2->v1");
        }
    }

    @Test
    void shouldIsolateTheRowsAModelThrowsOnOnceThereIsNothingToGoBackTo() {
        try (ModelHolder holder = new ModelHolder(ModelHolder.Events.NONE, 1_000)) {
            holder.swap(load(FaultyModels.throwingOnRowsAbove(TestModels.centreModel("pumps", 1, 10), 0, 5_000f)));
            ModelHolder.Scored s = holder.scoreRows(TestModels.SPEC, rows(37, 5, 6, 30), 37);

            assertThat(s.faults()).extracting(BatchScorer.Fault::row).containsExactly(5, 6, 30);
            assertThat(s.faults()).allSatisfy(f -> assertThat(f.reason()).isEqualTo(BatchScorer.Fault.SCORING_FAILED));
            for (int i = 0; i < 37; i++) {
                if (i != 5 && i != 6 && i != 30) {
                    assertThat(s.batch().score()[i]).as("row %d", i).isEqualTo(0f);
                }
            }
        }
    }

    @Test
    void shouldReportNonFiniteScoresAsFaultsAfterProbation() {
        try (ModelHolder holder = new ModelHolder(ModelHolder.Events.NONE, 4)) {
            holder.swap(load(TestModels.centreModel("pumps", 1, 10)));
            holder.swap(load(FaultyModels.nanOnRowsAbove(TestModels.centreModel("pumps", 2, 10), 0, 5_000f)));
            assertThat(holder.scoreRows(TestModels.SPEC, rows(4), 4).model().version()).isEqualTo(2); // probation passed
            ModelHolder.Scored s = holder.scoreRows(TestModels.SPEC, rows(6, 2), 6);

            assertThat(s.model().version()).isEqualTo(2);
            assertThat(s.faults()).singleElement().satisfies(f -> {
                assertThat(f.row()).isEqualTo(2);
                assertThat(f.reason()).isEqualTo(BatchScorer.Fault.NOT_FINITE_SCORE);
            });
        }
    }

    @Test
    void shouldKeepTheLastProvenModelAsFallbackWhenSwapsFollowEachOther() {
        Recorder events = new Recorder();
        try (ModelHolder holder = new ModelHolder(events, 1_000)) {
            holder.swap(load(TestModels.centreModel("pumps", 1, 10)));
            holder.swap(load(TestModels.centreModel("pumps", 2, 10)));
            holder.swap(load(FaultyModels.nanEverywhere(TestModels.centreModel("pumps", 3, 10))));
            ModelHolder.Scored s = holder.scoreRows(TestModels.SPEC, rows(2), 2);

            assertThat(s.model().version()).isEqualTo(1); // v2 never finished its probation
            assertThat(events.reverts).containsExactly("v3->v1");
        }
    }
}
