package io.plugboard.inference;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one loaded model version has done since it was loaded, as Triton's statistics extension
 * counts it: requests answered (success, fail) and their durations from admission to answer, time
 * in the queue, the engine calls (per request, and per batch size), inferences (rows when the pool
 * batches, else requests) and executions, and when the last one ran. A pool reports to it as a
 * {@link PoolObserver}; the inference path adds each answered request with {@link #answered}.
 */
public final class VersionStatistics implements PoolObserver {

    /** Distinct batch sizes tallied; sizes first seen past it are left out of the per-size table. */
    static final int MAX_BATCH_SIZES = 4096;

    /** A cumulative count and duration. */
    public record Tally(long count, long nanos) {
    }

    /** The engine calls that ran {@code batchSize} inferences at once. */
    public record BatchTally(long batchSize, Tally computeInfer) {
    }

    /** A consistent-enough copy of the counters (each read once, while requests may still run). */
    public record Snapshot(long lastInferenceMillis, long inferenceCount, long executionCount, Tally success,
            Tally fail, Tally queue, Tally computeInfer, List<BatchTally> batches) {
    }

    private final InstantSource clock;
    private final Counter success = new Counter();
    private final Counter fail = new Counter();
    private final Counter queue = new Counter();
    private final Counter computeInfer = new Counter();
    private final LongAdder inferences = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final AtomicLong lastInference = new AtomicLong();
    private final Map<Long, Counter> bySize = new ConcurrentHashMap<>();

    /** @param clock the wall clock {@code last_inference} is read from */
    public VersionStatistics(InstantSource clock) {
        this.clock = clock;
    }

    /** One request answered, successfully or not, {@code nanos} after it was admitted. */
    public void answered(boolean succeeded, long nanos) {
        (succeeded ? success : fail).add(1, nanos);
    }

    @Override
    public void rejected(String modelId, String reason) {
        // counted as a failed request where it is answered
    }

    @Override
    public void dequeued(String modelId, long queuedNanos) {
        queue.add(1, queuedNanos);
    }

    @Override
    public void executed(String modelId, int requests, long rows, long busyNanos) {
        executions.increment();
        inferences.add(rows);
        computeInfer.add(requests, busyNanos * requests);
        lastInference.accumulateAndGet(clock.millis(), Math::max);
        Counter size = bySize.get(rows);
        if (size == null && bySize.size() < MAX_BATCH_SIZES) {
            size = bySize.computeIfAbsent(rows, r -> new Counter());
        }
        if (size != null) {
            size.add(1, busyNanos);
        }
    }

    public Snapshot snapshot() {
        List<BatchTally> batches = new ArrayList<>();
        bySize.forEach((rows, tally) -> batches.add(new BatchTally(rows, tally.read())));
        batches.sort(java.util.Comparator.comparingLong(BatchTally::batchSize));
        return new Snapshot(lastInference.get(), inferences.sum(), executions.sum(), success.read(), fail.read(),
                queue.read(), computeInfer.read(), List.copyOf(batches));
    }

    private static final class Counter {
        private final LongAdder count = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        void add(long n, long duration) {
            count.add(n);
            nanos.add(Math.max(0, duration));
        }

        Tally read() {
            return new Tally(count.sum(), nanos.sum());
        }
    }
}
