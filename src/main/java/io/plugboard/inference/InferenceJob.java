package io.plugboard.inference;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** One admitted request: its inputs, wanted outputs, deadline and eventual result. */
public final class InferenceJob {

    private static final int QUEUED = 0;
    private static final int STARTED = 1;
    private static final int ABANDONED = 2;
    private static final int GIVEN_UP = 3;

    private final Map<String, Tensor> inputs;
    private final Set<String> outputs;
    private final long enqueuedNanos;
    private final long deadlineNanos;
    private final CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();
    private final AtomicInteger state = new AtomicInteger(QUEUED);

    InferenceJob(Map<String, Tensor> inputs, Set<String> outputs, long enqueuedNanos, long deadlineNanos) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.enqueuedNanos = enqueuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    public Map<String, Tensor> inputs() {
        return inputs;
    }

    public Set<String> outputs() {
        return outputs;
    }

    long enqueuedNanos() {
        return enqueuedNanos;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    public CompletableFuture<Map<String, Tensor>> result() {
        return result;
    }

    /** Claims the job for execution; false if the caller gave up on it first. */
    boolean start() {
        return state.compareAndSet(QUEUED, STARTED);
    }

    /** The caller stops waiting; a job not yet started will be skipped. True if it never started. */
    public boolean abandon() {
        if (state.compareAndSet(QUEUED, ABANDONED)) {
            return true;
        }
        state.compareAndSet(STARTED, GIVEN_UP);
        return false;
    }

    /** Whether nobody waits for this job's answer any more (it was abandoned or expired). */
    boolean unwanted() {
        return state.get() == ABANDONED || state.get() == GIVEN_UP;
    }

    void expire() {
        if (state.compareAndSet(QUEUED, ABANDONED)) {
            result.completeExceptionally(new PlugboardException(ProblemType.TIMEOUT,
                    "The request waited in the queue past its timeout."));
        }
    }

    void complete(Map<String, Tensor> outputs) {
        result.complete(outputs);
    }

    void fail(Throwable t) {
        result.completeExceptionally(t);
    }
}
