package io.plugboard.backend;

import io.plugboard.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * One execution slot of a loaded model (third lifecycle level); called by one thread at a time.
 */
public interface ModelInstance extends AutoCloseable {

    /**
     * Runs the model. Inputs have been validated against the signature; {@code outputs} names the
     * outputs wanted (never empty). Engine failures are thrown as
     * {@link io.plugboard.problem.PlugboardException} with {@code INFERENCE_FAILED}.
     */
    Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs);

    /**
     * Asks the call running on this instance, from another thread, to stop as soon as the engine
     * can; the stopped call then throws. An engine that cannot stop a call lets it finish.
     *
     * @return whether this engine stops calls
     */
    default boolean cancel() {
        return false;
    }

    @Override
    void close();
}
