package io.plugboard.backend;

import io.plugboard.tensor.TensorSpec;
import java.util.List;
import java.util.Optional;

/** Inputs and outputs of a loaded model, in the engine's order. */
public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
