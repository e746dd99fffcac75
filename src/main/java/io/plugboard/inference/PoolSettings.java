package io.plugboard.inference;

import java.time.Duration;

/**
 * How a model is served: {@code instances} execution slots (each runs one batch at a time), a
 * queue bounded at {@code queueCapacity}, a default per-request {@code timeout}, and dynamic
 * batching up to {@code maxBatchSize} rows waiting at most {@code maxQueueDelay}.
 */
public record PoolSettings(int instances, int queueCapacity, Duration timeout, int maxBatchSize,
        Duration maxQueueDelay) {

    public PoolSettings {
        if (instances < 1 || instances > 64) {
            throw new IllegalArgumentException("instances must be between 1 and 64");
        }
        if (queueCapacity < 1 || queueCapacity > 100_000) {
            throw new IllegalArgumentException("queueCapacity must be between 1 and 100000");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (maxBatchSize < 1 || maxBatchSize > 4096) {
            throw new IllegalArgumentException("maxBatchSize must be between 1 and 4096");
        }
        if (maxQueueDelay.isNegative()) {
            throw new IllegalArgumentException("maxQueueDelay must not be negative");
        }
    }
}
