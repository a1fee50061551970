package dev.anomaly.trainer.report;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingReportTest {
    /**
     * A VAE's report with an AE trained on the same rows beside it: both latent pictures are drawn, and the VAE's decoded
     * samples are tabled (12 rows and the training mean) with the share of 1,000 draws above the threshold.
     */
    @Test
    void shouldShowTheLatentSpacesSideBySideAndAGridOfDecodedSamples(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var data = dev.anomaly.trainer.TestData.telemetry(5, 1500, 0.02);
        var vae = run(data, "vae");
        var ae = run(data, "ae");
        java.nio.file.Path page = TrainingReport.write(dir, vae, Map.of("ae", ae));
        String html = java.nio.file.Files.readString(page);
        assertThat(html).contains("Latent spaces side by side").contains("latent-ae.png").contains("Decoded samples");
        assertThat(dir.resolve("latent.png")).isNotEmptyFile();
        assertThat(dir.resolve("latent-ae.png")).isNotEmptyFile();
        String samples = html.substring(html.indexOf("Decoded samples"));
        samples = samples.substring(0, samples.indexOf("</table>"));
        assertThat(samples.split("<tr>", -1)).hasSize(1 + 1 + 1 + 12); // text before, header, mean, 12 samples
        java.nio.file.Path aeDir = dir.resolve("ae-only");
        assertThat(java.nio.file.Files.readString(TrainingReport.write(aeDir, ae))).doesNotContain("Decoded samples");
    }

    private static dev.anomaly.trainer.TrainingJob.Outcome run(dev.anomaly.trainer.data.Dataset data, String family) {
        var config = dev.anomaly.trainer.model.TrainingConfig.defaults(dev.anomaly.trainer.family.ModelFamilies.named(family, Map.of()),
                data.width(), data.rows()).withEpochs(5);
        return dev.anomaly.trainer.TrainingJob.run(data, config, family, 1, dev.anomaly.trainer.model.ProgressListener.NONE);
    }

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
