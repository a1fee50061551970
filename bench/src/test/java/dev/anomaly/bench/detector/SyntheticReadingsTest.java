package dev.anomaly.bench.detector;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticReadingsTest {
    @Test
    void shouldReadTheSequenceBackFromAKey() {
        for (long s : new long[]{0, 7, 1_999_999, Integer.MAX_VALUE}) {
            assertThat(SyntheticReadings.sequence(SyntheticReadings.key(s))).isEqualTo(s);
        }
        assertThat(SyntheticReadings.sequence("pump-1".getBytes())).isEqualTo(-1);
        assertThat(SyntheticReadings.sequence(null)).isEqualTo(-1);
        assertThat(SyntheticReadings.sequence(new byte[0])).isEqualTo(-1);
    }

    @Test
    void shouldGenerateTheSameRecordsForASeedWithTheSpecsFields() {
        SyntheticReadings a = new SyntheticReadings(30, 0.01, 3);
        SyntheticReadings b = new SyntheticReadings(30, 0.01, 3);
        float[] row = new float[30];
        for (int i = 0; i < 100; i++) {
            GenericRecord ra = a.next();
            assertThat(ra).isEqualTo(b.next());
            SyntheticReadings.spec(30).extractInto(ra, row, 0); // every feature of the spec is in the record
        }
        assertThat(SyntheticReadings.schema(30).getFields()).hasSize(30);
    }
}
