package io.plugboard.store;

import io.plugboard.backend.EngineOptions;
import io.plugboard.backend.Target;
import io.plugboard.settings.ModelSettings;
import io.plugboard.settings.PoolOverrides;
import java.util.Map;

/** Reads the untyped {@code parameters} map that stores written before typed settings hold. */
final class LegacySettings {

    private LegacySettings() {
    }

    static ModelSettings read(Map<String, String> p) {
        return new ModelSettings(new PoolOverrides(integer(p, "instances"), integer(p, "queueCapacity"),
                number(p, "timeoutMs"), integer(p, "maxBatchSize"), number(p, "maxQueueDelayMs")),
                p.containsKey("target") ? Target.parse(p.get("target")) : null,
                new EngineOptions(p.get("signature"), p.get("signatureName")));
    }

    private static Integer integer(Map<String, String> p, String key) {
        Long value = number(p, key);
        return value == null ? null : Math.toIntExact(value);
    }

    private static Long number(Map<String, String> p, String key) {
        String value = p.get(key);
        return value == null || value.isBlank() ? null : Long.valueOf(value.trim());
    }
}
