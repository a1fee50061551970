package dev.anomaly.trainer.cli;

import dev.anomaly.trainer.model.ProgressListener;

import java.io.PrintStream;

/** Epoch progress on stderr: a redrawn bar on a terminal, a line every few epochs otherwise (logs, CI). */
public final class ConsoleProgress implements ProgressListener {
    private final PrintStream out;
    private final boolean terminal;
    private int bestEpoch;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
        this.terminal = System.console() != null;
    }

    @Override
    public void epoch(int epoch, int maxEpochs, double trainLoss, double validationLoss, boolean best, long elapsedMillis) {
        if (best) {
            bestEpoch = epoch;
        }
        int width = 30;
        int done = (int) Math.round((double) epoch / maxEpochs * width);
        String line = String.format("[%s%s] epoch %3d/%d  loss %.5g  held-out %.5g  best %d  %.1f s",
                "#".repeat(done), ".".repeat(width - done), epoch, maxEpochs, trainLoss, validationLoss, bestEpoch, elapsedMillis / 1000.0);
        if (terminal) {
            out.print("\r" + line);
            if (epoch == maxEpochs) {
                out.println();
            }
        } else if (epoch == 1 || epoch % 10 == 0 || epoch == maxEpochs) {
            out.println(line);
        }
        out.flush();
    }

    public void finish() {
        if (terminal) {
            out.println();
        }
    }
}
