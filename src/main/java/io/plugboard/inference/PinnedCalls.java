package io.plugboard.inference;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds how many engine calls run on virtual threads at once. A native call pins its virtual
 * thread to a carrier; with every carrier pinned, no other virtual thread (request parsing, health
 * probes) could run until a call returns. One budget is shared by all pools of a server and keeps
 * at least one carrier free.
 */
public final class PinnedCalls {

    private final int limit;
    private final AtomicInteger running = new AtomicInteger();

    /** Allows {@code carriers - 1} pinned calls at once (none on a single carrier). */
    public PinnedCalls(int carriers) {
        this.limit = Math.max(0, carriers - 1);
    }

    /** A budget for this JVM's virtual-thread scheduler. */
    public static PinnedCalls forThisJvm() {
        return new PinnedCalls(Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors()));
    }

    boolean tryAcquire() {
        int now;
        do {
            now = running.get();
            if (now >= limit) {
                return false;
            }
        } while (!running.compareAndSet(now, now + 1));
        return true;
    }

    void release() {
        running.decrementAndGet();
    }
}
