package dev.anomaly.trainer.export;

/** The exported ONNX model does not compute what the trained network computes. */
public class ParityException extends RuntimeException {
    private final ParityReport report;

    public ParityException(ParityReport report) {
        super("ONNX export failed its parity check: " + report);
        this.report = report;
    }

    public ParityReport report() {
        return report;
    }
}
