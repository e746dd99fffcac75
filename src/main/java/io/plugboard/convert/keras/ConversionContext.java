package io.plugboard.convert.keras;

import java.util.List;

/** What every layer conversion of one model shares: the graph, the Keras dialect, the converters. */
final class ConversionContext {

    private final GraphOps ops;
    private final Activations activations;
    private final LayerConverters converters;
    private final int kerasMajor;
    private final String backend;

    ConversionContext(GraphOps ops, LayerConverters converters, int kerasMajor, String backend) {
        this.ops = ops;
        this.converters = converters;
        this.kerasMajor = kerasMajor;
        this.backend = backend;
        this.activations = new Activations(kerasMajor);
    }

    GraphOps ops() {
        return ops;
    }

    Activations activations() {
        return activations;
    }

    int kerasMajor() {
        return kerasMajor;
    }

    String backend() {
        return backend;
    }

    /** Converts one call of a (non-model) layer. */
    List<KerasTensor> call(KerasLayer layer, List<KerasTensor> inputs, LayerWeights weights) {
        LayerConverter c = converters.get(layer.className());
        if (c == null) {
            throw KerasProblems.unsupportedLayers(List.of(layer.className()));
        }
        List<KerasTensor> out = c.convert(new LayerCall(layer, inputs, weights, this));
        if (out.isEmpty()) {
            throw KerasProblems.notAModel("layer " + layer.name() + " produced no output");
        }
        return out;
    }
}
