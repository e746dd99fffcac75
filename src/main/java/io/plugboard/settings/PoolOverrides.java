package io.plugboard.settings;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.plugboard.inference.PoolSettings;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.time.Duration;

/**
 * The serving settings a model was given at upload; an absent one follows the server's default
 * ({@code plugboard.serving.*}), now and after a restart.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PoolOverrides(Integer instances, Integer queueCapacity, Long timeoutMs, Integer maxBatchSize,
        Long maxQueueDelayMs) {

    public static final PoolOverrides NONE = new PoolOverrides(null, null, null, null, null);

    /**
     * These overrides over {@code defaults}.
     *
     * @throws PlugboardException {@code INVALID_PARAMETER} when a value is out of range
     */
    public PoolSettings over(PoolSettings defaults) {
        try {
            return new PoolSettings(instances != null ? instances : defaults.instances(),
                    queueCapacity != null ? queueCapacity : defaults.queueCapacity(),
                    timeoutMs != null ? Duration.ofMillis(timeoutMs) : defaults.timeout(),
                    maxBatchSize != null ? maxBatchSize : defaults.maxBatchSize(),
                    maxQueueDelayMs != null ? Duration.ofMillis(maxQueueDelayMs) : defaults.maxQueueDelay());
        } catch (IllegalArgumentException e) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, e.getMessage() + ".");
        }
    }
}
