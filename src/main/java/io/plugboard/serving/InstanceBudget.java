package io.plugboard.serving;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Map;

/**
 * The server-wide cap on instances ({@code plugboard.limits.max-instances}): every instance is a
 * thread and an engine session, so their total across loaded versions is bounded.
 */
public final class InstanceBudget {

    private final int max;
    private int used;

    public InstanceBudget(int max) {
        this.max = max;
    }

    /**
     * Takes {@code n} instances.
     *
     * @throws PlugboardException {@code CAPACITY_REACHED} when that would pass the cap
     */
    public synchronized void take(int n) {
        if (used + n > max) {
            throw new PlugboardException(ProblemType.CAPACITY_REACHED, "The server runs " + used + " of its " + max
                    + " instances; this model needs " + n + " more (plugboard.limits.max-instances). Unload or "
                    + "delete a model, or ask for fewer instances.", Map.of("limit", max, "used", used));
        }
        used += n;
    }

    public synchronized void give(int n) {
        used = Math.max(0, used - n);
    }
}
