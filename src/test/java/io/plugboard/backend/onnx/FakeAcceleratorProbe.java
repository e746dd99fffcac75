package io.plugboard.backend.onnx;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A host as described: compiled providers, GPUs, missing libraries and provider failures. */
public record FakeAcceleratorProbe(Set<String> compiledProviders, List<Integer> nvidiaDevices,
        Set<String> missing, Map<String, String> providerFailures) implements AcceleratorProbe {

    @Override
    public Optional<String> missingLibrary(List<String> libraries) {
        return libraries.stream().filter(missing::contains).findFirst();
    }

    @Override
    public Optional<String> tryProvider(io.plugboard.backend.Target target) {
        return Optional.ofNullable(providerFailures.get(target.toString()));
    }
}
