package dev.anomaly.trainer.reference;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The reference detectors by the name the command line uses. */
public final class ReferenceDetectors {
    private static final Map<String, Supplier<ReferenceDetector>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("iforest", IsolationForest::new);
        ALL.put("knn", NearestNeighbours::new);
        ALL.put("pca", PrincipalComponents::new);
    }

    private ReferenceDetectors() {
    }

    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    public static ReferenceDetector named(String name) {
        Supplier<ReferenceDetector> s = ALL.get(name.trim().toLowerCase(java.util.Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown reference detector '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return s.get();
    }
}
