package io.plugboard.settings;

import io.plugboard.backend.Target;
import io.plugboard.inference.PoolSettings;

/** The server's serving settings ({@code plugboard.serving.*}), which a model's own settings override. */
public record ServingDefaults(PoolSettings pool, Target target) {

    /** The pool settings a model with these {@code settings} is served with. */
    public PoolSettings poolFor(ModelSettings settings) {
        return settings.pool().over(pool);
    }

    /** The target a model with these {@code settings} is placed by. */
    public Target targetFor(ModelSettings settings) {
        return settings.targetOr(target);
    }
}
