package dev.anomaly.trainer.data;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SpecInferenceTest {
    private static final Schema READING = SchemaBuilder.record("Reading").fields()
            .requiredString("sensorId").requiredString("site").requiredString("trace").requiredString("zone")
            .requiredDouble("value").endRecord();

    /** 20 sensors (exactly the category limit), 3 sites, a unique trace per record, a zone with 30 values. */
    private static List<GenericRecord> sample(int n) {
        List<GenericRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GenericRecord r = new GenericData.Record(READING);
            r.put("sensorId", "s" + (i % 20));
            r.put("site", "site-" + (i % 3));
            r.put("trace", "t" + i);
            r.put("zone", "z" + (i % 30));
            r.put("value", i * 0.5);
            out.add(r);
        }
        return out;
    }

    @Test
    void shouldLeaveOutIdentifierLikeStringsUnlessNamed() {
        var spec = SpecInference.infer(READING, sample(2000), List.of(), Set.of(), 20);
        // sensorId has only 20 values, but its name says what it is: a new sensor must not alert on every record.
        assertThat(spec.features()).extracting(f -> f.name()).containsExactly("site", "value");

        var asked = SpecInference.infer(READING, sample(2000), List.of("sensorId", "value"), Set.of(), 20);
        assertThat(asked.features()).extracting(f -> f.name()).containsExactly("sensorId", "value");
    }

    @Test
    void shouldRecogniseIdentifierNames() {
        for (String name : List.of("id", "ID", "machineId", "sensor_id", "deviceID", "uuid", "request_uuid", "eventKey", "row-id", "a.b.customerId")) {
            assertThat(SpecInference.identifierReason(name, Schema.Type.STRING, 3, 1000, 20)).as(name).isNotNull();
        }
        for (String name : List.of("mode", "valid", "paid", "idle", "android", "monkey", "hockey", "status")) {
            assertThat(SpecInference.identifierReason(name, Schema.Type.STRING, 3, 1000, 20)).as(name).isNull();
        }
        assertThat(SpecInference.identifierReason("machineId", Schema.Type.ENUM, 3, 1000, 20)).isNull();
        assertThat(SpecInference.identifierReason("session", Schema.Type.STRING, 600, 1000, 1000)).contains("600 distinct values in 1000");
    }
}
