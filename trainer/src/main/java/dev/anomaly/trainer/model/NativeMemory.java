package dev.anomaly.trainer.model;

import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gives back the native memory DL4J holds after a training run. ND4J keeps per-thread workspaces alive for as long as the
 * thread lives, and frees the buffers of unreachable arrays only when the garbage collector runs — which a long-lived
 * process with a quiet Java heap (the retraining job) may not do for hours, while native memory grows with each run.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    /** Destroys this thread's ND4J workspaces and lets the collector free the buffers no array refers to any more. */
    public static void release() {
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        System.gc();
    }

    /** Native bytes JavaCPP has allocated and not yet freed (ND4J's buffers among them). */
    public static long allocatedBytes() {
        return Pointer.totalBytes();
    }

    /** Number of ND4J workspaces the calling thread holds. */
    public static int workspacesOfThisThread() {
        return Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread().size();
    }
}
