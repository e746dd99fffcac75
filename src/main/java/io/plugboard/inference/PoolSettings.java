package io.plugboard.inference;

import java.time.Duration;

/**
 * How a model is served: {@code instances} execution slots (each runs one batch at a time), a
 * queue bounded at {@code queueCapacity}, a default per-request {@code timeout}, and dynamic
 * batching up to {@code maxBatchSize} rows waiting at most {@code maxQueueDelay}.
 */
public record PoolSettings(int instances, int queueCapacity, Duration timeout, int maxBatchSize,
        Duration maxQueueDelay) {

    /** The longest default timeout: a day (a deadline far beyond it would overflow the clock's arithmetic). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    /** The longest a batch may wait to fill. */
    public static final Duration MAX_QUEUE_DELAY = Duration.ofMinutes(1);

    public PoolSettings {
        if (instances < 1 || instances > 64) {
            throw new IllegalArgumentException("instances must be between 1 and 64");
        }
        if (queueCapacity < 1 || queueCapacity > 100_000) {
            throw new IllegalArgumentException("queueCapacity must be between 1 and 100000");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be positive and at most " + MAX_TIMEOUT.toMillis() + " ms");
        }
        if (maxBatchSize < 1 || maxBatchSize > 4096) {
            throw new IllegalArgumentException("maxBatchSize must be between 1 and 4096");
        }
        if (maxQueueDelay.isNegative() || maxQueueDelay.compareTo(MAX_QUEUE_DELAY) > 0) {
            throw new IllegalArgumentException("maxQueueDelay must be between 0 and " + MAX_QUEUE_DELAY.toMillis()
                    + " ms");
        }
    }
}
