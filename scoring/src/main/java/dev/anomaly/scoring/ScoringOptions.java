package dev.anomaly.scoring;

/**
 * How to run a model.
 *
 * @param device         {@code cpu}, {@code cuda} or {@code cuda:N}; CUDA falls back to CPU with a warning when unavailable
 * @param intraOpThreads ONNX Runtime threads per call (1 is best when several stream threads score in parallel)
 */
public record ScoringOptions(String device, int intraOpThreads) {
    public ScoringOptions {
        if (!device.equals("cpu") && !device.matches("cuda(:\\d+)?")) {
            throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, got '" + device + "'");
        }
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
        }
    }

    public static ScoringOptions cpu() {
        return new ScoringOptions("cpu", 1);
    }

    public boolean wantsCuda() {
        return device.startsWith("cuda");
    }

    public int cudaDeviceId() {
        int colon = device.indexOf(':');
        return colon < 0 ? 0 : Integer.parseInt(device.substring(colon + 1));
    }
}
