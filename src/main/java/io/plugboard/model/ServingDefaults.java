package io.plugboard.model;

import io.plugboard.inference.PoolSettings;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.time.Duration;
import java.util.Map;

/** Default serving settings, overridden per model by upload fields. */
public record ServingDefaults(PoolSettings pool, String target) {

    /** The upload's settings applied over the defaults; bad values are a 400. */
    PoolSettings resolve(Map<String, String> fields) {
        int instances = intField(fields, "instances", pool.instances());
        int queueCapacity = intField(fields, "queueCapacity", pool.queueCapacity());
        long timeoutMs = intField(fields, "timeoutMs", (int) Math.min(Integer.MAX_VALUE, pool.timeout().toMillis()));
        int maxBatchSize = intField(fields, "maxBatchSize", pool.maxBatchSize());
        long delayMs = intField(fields, "maxQueueDelayMs", (int) pool.maxQueueDelay().toMillis());
        try {
            return new PoolSettings(instances, queueCapacity, Duration.ofMillis(timeoutMs), maxBatchSize,
                    Duration.ofMillis(delayMs));
        } catch (IllegalArgumentException e) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, e.getMessage() + ".");
        }
    }

    private static int intField(Map<String, String> fields, String name, int fallback) {
        String value = fields.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "'" + name + "' must be an integer, not '"
                    + value + "'.", Map.of("parameter", name));
        }
    }
}
