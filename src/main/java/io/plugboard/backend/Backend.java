package io.plugboard.backend;

import io.plugboard.format.ModelFormat;
import java.util.Optional;
import java.util.Set;

/**
 * An inference engine (first of three lifecycle levels: backend, loaded model, model instance).
 * A backend loads models of the formats it serves; only backend packages touch engine types.
 */
public interface Backend extends AutoCloseable {

    /** Stable name shown in model descriptions ("onnxruntime", "pytorch", …). */
    String name();

    /** Formats this backend can load. */
    Set<ModelFormat> formats();

    /** Empty when usable; otherwise why not (e.g. its native library is not in this build). */
    Optional<String> unavailableReason();

    /** Targets this backend can place models on, best first (cpu is always last); may start the engine. */
    default java.util.List<Target> targets() {
        return java.util.List.of(Target.CPU);
    }

    /** The targets known without starting anything (an engine not started yet reports cpu only). */
    default java.util.List<Target> knownTargets() {
        return targets();
    }

    /**
     * Starts the engine now, unpacking its natives into the engine cache, so the first model load
     * does not (image builds run this through {@code plugboard.engines.warm-and-exit}).
     *
     * @throws RuntimeException when the engine cannot start
     */
    default void warmUp() {
        targets();
    }

    /** Target kinds this backend cannot use here ("cuda", "tensorrt", …), with the reason; starts nothing. */
    default java.util.Map<String, String> unavailableTargets() {
        return java.util.Map.of();
    }

    /**
     * Loads a model onto a target.
     *
     * @throws io.plugboard.problem.PlugboardException with {@code MODEL_LOAD_FAILED} (the engine's
     *     message in the detail) or {@code UNSUPPORTED_DATATYPE}
     */
    LoadedModel load(ModelSource source, Target target);

    @Override
    void close();
}
