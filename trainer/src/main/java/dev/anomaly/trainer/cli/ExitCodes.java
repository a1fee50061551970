package dev.anomaly.trainer.cli;

/** Process exit codes of the anomaly tool; scripts may rely on them. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Unexpected failure (a bug, or an environment problem such as a missing native library). */
    public static final int FAILURE = 1;
    /** Bad command line or configuration (unknown option, invalid value). */
    public static final int USAGE = 2;
    /** Bad input data: unreadable file, missing or wrong columns, non-numeric values, no rows. */
    public static final int BAD_DATA = 3;
    /** Bad model: an export that fails its parity check, or a model file that cannot be loaded. */
    public static final int BAD_MODEL = 4;
    /** Kafka or the schema registry could not be reached in time. */
    public static final int UNAVAILABLE = 5;

    private ExitCodes() {
    }
}
