package io.plugboard.convert.keras;

import java.util.List;

/**
 * One call of a layer during conversion: the layer, the tensors it is applied to, where its weights
 * are, and the conversion it is part of.
 */
record LayerCall(KerasLayer layer, List<KerasTensor> inputs, LayerWeights weights, ConversionContext context) {

    KerasLayerConfig cfg() {
        return layer.config();
    }

    String name() {
        return layer.name();
    }

    GraphOps ops() {
        return context.ops();
    }

    KerasTensor input() {
        if (inputs.size() != 1) {
            throw cfg().bad("expects one input but is given " + inputs.size());
        }
        return inputs.get(0);
    }

    /** The layer's weights, checking there are as many as one of {@code counts}. */
    List<KerasArray> weights(int... counts) {
        List<KerasArray> w = weights.arrays();
        for (int c : counts) {
            if (w.size() == c) {
                return w;
            }
        }
        throw cfg().bad("has " + w.size() + " weight arrays, expected " + java.util.Arrays.toString(counts));
    }

    /** An initializer made once per layer and purpose, so shared layers share their weights. */
    String init(String purpose, KerasArray array) {
        return ops().builder().sharedFloats(weights.key() + "#" + purpose, array::data, name() + "_" + purpose,
                array.shape());
    }

    void checkShape(KerasArray a, String what, long... expected) {
        if (a.shape().length != expected.length) {
            throw cfg().bad("has " + what + " of shape " + a + " but its config needs " + java.util.Arrays.toString(expected));
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] >= 0 && a.shape()[i] != expected[i]) {
                throw cfg().bad("has " + what + " of shape " + a + " but its config needs " + java.util.Arrays.toString(expected));
            }
        }
    }

    String activation(String x, KerasTensor shapeOf) {
        return context.activations().apply(this, cfg().node("activation"), x, shapeOf.rank());
    }

    KerasTensor out(String tensor, long... shape) {
        return new KerasTensor(tensor, shape);
    }
}
