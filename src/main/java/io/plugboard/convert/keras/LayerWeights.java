package io.plugboard.convert.keras;

import java.util.List;
import java.util.function.Supplier;

/** One layer's weights, loaded on first use and kept for the layer's further calls. */
final class LayerWeights {

    private final String key;
    private final Supplier<List<KerasArray>> loader;
    private List<KerasArray> arrays;

    LayerWeights(String key, Supplier<List<KerasArray>> loader) {
        this.key = key;
        this.loader = loader;
    }

    static LayerWeights of(String key, List<KerasArray> arrays) {
        return new LayerWeights(key, () -> arrays);
    }

    /** Identifies the layer: initializers are shared between calls with the same key. */
    String key() {
        return key;
    }

    List<KerasArray> arrays() {
        if (arrays == null) {
            arrays = List.copyOf(loader.get());
        }
        return arrays;
    }

    /** The arrays {@code [from, to)} as the weights of a wrapped layer. */
    LayerWeights part(String suffix, int from, int to) {
        return new LayerWeights(key + "/" + suffix, () -> arrays().subList(from, to));
    }
}
