package dev.anomaly.trainer.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingReportTest {
    @Test
    void shouldPickRoundBinWidths() {
        assertThat(TrainingReport.nice(0.53)).isEqualTo(1.0);
        assertThat(TrainingReport.nice(0.21)).isEqualTo(0.25);
        assertThat(TrainingReport.nice(1.7)).isEqualTo(2.0);
        assertThat(TrainingReport.nice(37)).isEqualTo(50.0);
        assertThat(TrainingReport.nice(0.001)).isEqualTo(0.001);
    }

    @Test
    void shouldListMetricsInReadingOrder() {
        Map<String, Double> raw = new LinkedHashMap<>();
        raw.put("validation_rows", 600.0);
        raw.put("zeta", 1.0);
        raw.put("f1", 0.5);
        raw.put("auroc", 0.9);
        raw.put("epochs", 30.0);
        assertThat(List.copyOf(TrainingReport.ordered(raw).keySet())).containsExactly("auroc", "f1", "epochs", "validation_rows", "zeta");
    }
}
