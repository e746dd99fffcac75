package io.plugboard.backend;

import io.plugboard.tensor.TensorSpec;
import java.util.List;
import java.util.Optional;

/**
 * Inputs and outputs of a loaded model, in the engine's order. With {@code positionalInputs} the
 * engine does not say how many inputs it takes (TorchScript without a declared signature): any
 * inputs named {@code input0..N-1} are accepted and fed in that order, and {@code outputs} is empty
 * because they are known only once the model runs.
 */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs, boolean positionalInputs) {

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
        this(inputs, outputs, false);
    }

    public Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
