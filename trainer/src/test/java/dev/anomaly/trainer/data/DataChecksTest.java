package dev.anomaly.trainer.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DataChecksTest {
    @TempDir
    Path dir;

    @Test
    void shouldSpotALabelTrainedOnAsAFeatureAndConstantColumns() throws IOException {
        StringBuilder sb = new StringBuilder("rpm,temp,flag,target,valve,site\n");
        for (int i = 0; i < 200; i++) {
            // flag: 0/1 with 3 % ones (an unnamed label); valve: 0/1 half the time (a real binary feature); site: constant.
            sb.append(1000 + i).append(',').append(50 + i % 7).append(',').append(i % 33 == 0 ? 1 : 0).append(',')
                    .append(i % 2).append(',').append(i % 2).append(",3\n");
        }
        Path file = dir.resolve("d.csv");
        Files.writeString(file, sb);
        Dataset d = CsvData.read(file, Optional.empty());
        var numeric = Set.copyOf(d.spec().columnNames());

        assertThat(DataChecks.labelLikeColumns(d, numeric)).hasSize(2)
                .anySatisfy(w -> assertThat(w).startsWith("column 'flag' holds only 0 and 1 (3.5 % ones)").contains("--label-column flag"))
                .anySatisfy(w -> assertThat(w).startsWith("column 'target' is named like a label"));
        assertThat(DataChecks.constantColumns(d)).singleElement().asString().startsWith("column 'site' has the same value (3.0)");
    }
}
