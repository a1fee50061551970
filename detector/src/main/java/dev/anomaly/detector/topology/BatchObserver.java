package dev.anomaly.detector.topology;

import dev.anomaly.schemas.avro.DriftEvent;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;

import java.util.List;

/** Sees every scored batch of one stream task (the drift monitor is one); may answer with drift events to emit. */
public interface BatchObserver {
    BatchObserver NONE = (model, features, batch, timestamps) -> List.of();

    /**
     * @param features   row-major raw feature rows, {@code batch.rows()} of them
     * @param timestamps record timestamps, one per row
     */
    List<DriftEvent> observe(ModelMetadata model, float[] features, ScoreBatch batch, long[] timestamps);
}
