package io.plugboard.settings;

import io.plugboard.backend.EngineOptions;
import io.plugboard.backend.Target;

/**
 * How one model version is to be served, as its upload asked: pool settings (absent ones follow
 * the server's defaults), the requested target, and what its engine is told. Parsed and validated
 * once at the API, stored with the version and restored as it is.
 */
public record ModelSettings(PoolOverrides pool, Target target, EngineOptions engine) {

    /** Everything at the server's defaults. */
    public static final ModelSettings DEFAULTS = new ModelSettings(PoolOverrides.NONE, null, EngineOptions.NONE);

    public ModelSettings {
        pool = pool == null ? PoolOverrides.NONE : pool;
        engine = engine == null ? EngineOptions.NONE : engine;
    }

    /** The requested target, or {@code fallback} (the server's default) when the upload named none. */
    public Target targetOr(Target fallback) {
        return target != null ? target : fallback;
    }
}
