package dev.anomaly.trainer.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvDataTest {
    @TempDir
    Path dir;

    private Path csv(String content) throws IOException {
        Path p = dir.resolve("data.csv");
        Files.writeString(p, content);
        return p;
    }

    @Test
    void shouldReadNumericColumnsAndKeepTheLabelOutOfTheFeatures() throws IOException {
        Dataset d = CsvData.read(csv("a,label,b\n1,0,2.5\n-3,1,4e2\n"), Optional.of("label"));
        assertThat(d.spec().columnNames()).containsExactly("a", "b");
        assertThat(d.values()).containsExactly(1f, 2.5f, -3f, 400f);
        assertThat(d.labels()).hasValueSatisfying(l -> assertThat(l).containsExactly(0, 1));
    }

    @Test
    void shouldReadTheModelsColumnsByNameInAnyOrder() throws IOException {
        Dataset train = CsvData.read(csv("a,b\n1,2\n"), Optional.empty());
        Dataset d = CsvData.read(csv("extra,b,label,a\nx,20,1,10\n"), Optional.of("label"), train.spec());
        assertThat(d.values()).containsExactly(10f, 20f);
    }

    @Test
    void shouldExplainEveryKindOfBadFile() throws IOException {
        assertThatThrownBy(() -> CsvData.read(dir.resolve("nope.csv"), Optional.empty()))
                .isInstanceOf(DataException.class).hasMessageContaining("No such file");
        assertThatThrownBy(() -> CsvData.read(csv(""), Optional.empty())).hasMessageContaining("empty file");
        assertThatThrownBy(() -> CsvData.read(csv("a,b\n"), Optional.empty())).hasMessageContaining("no data rows");
        assertThatThrownBy(() -> CsvData.read(csv("a,b\n1,2\n3,oops\n"), Optional.empty()))
                .hasMessageContaining("line 3").hasMessageContaining("column 'b'").hasMessageContaining("'oops'");
        assertThatThrownBy(() -> CsvData.read(csv("a,b\n1,2,3\n"), Optional.empty())).hasMessageContaining("3 fields, header has 2");
        assertThatThrownBy(() -> CsvData.read(csv("a,b\n1,NaN\n"), Optional.empty())).hasMessageContaining("not finite");
        assertThatThrownBy(() -> CsvData.read(csv("a,b\n1,2\n"), Optional.of("label"))).hasMessageContaining("label column 'label' not in header");
        assertThatThrownBy(() -> CsvData.read(csv("a,label\n1,7\n"), Optional.of("label"))).hasMessageContaining("must be 0 or 1");
        assertThatThrownBy(() -> CsvData.read(csv("label\n1\n"), Optional.of("label"))).hasMessageContaining("no feature columns");
        Dataset train = CsvData.read(csv("a,b\n1,2\n"), Optional.empty());
        assertThatThrownBy(() -> CsvData.read(csv("a,c\n1,2\n"), Optional.empty(), train.spec()))
                .hasMessageContaining("missing column(s) [b]");
    }

    @Test
    void shouldIgnoreAByteOrderMarkAndNameASemicolonSeparatedFile() throws IOException {
        Dataset d = CsvData.read(csv("\uFEFFf0,f1\n1,2\n"), Optional.empty());
        assertThat(d.spec().columnNames()).containsExactly("f0", "f1");
        Dataset scored = CsvData.read(csv("\uFEFFf1,f0\n3,4\n"), Optional.empty(), d.spec());
        assertThat(scored.values()).containsExactly(4f, 3f);
        assertThatThrownBy(() -> CsvData.read(csv("a;b;label\n1;2;0\n"), Optional.empty()))
                .isInstanceOf(DataException.class).hasMessageContaining("semicolon-separated");
    }

    @Test
    void shouldSetAsideUnreadableRowsWhenAskedAndReadTheRest() throws IOException {
        Path p = csv("a,b,label\n1,2,0\n3,x,0\n\n5,6\n7,8,1\n9,NaN,0\n");
        CsvData.Lenient read = CsvData.readSkippingBadRows(p, Optional.of("label"), null);
        assertThat(read.data().values()).containsExactly(1f, 2f, 7f, 8f);
        assertThat(read.lines()).containsExactly(2L, 6L);
        assertThat(read.rejected()).extracting(CsvData.Rejected::line).containsExactly(3L, 5L, 7L);
        assertThat(read.rejected().get(0).reason()).contains("column 'b' is not a number: 'x'");
        assertThat(read.rejected().get(1).text()).isEqualTo("5,6");
        assertThatThrownBy(() -> CsvData.read(p, Optional.of("label"))).hasMessageContaining("line 3");
    }
}
