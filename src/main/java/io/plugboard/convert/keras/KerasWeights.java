package io.plugboard.convert.keras;

import java.util.List;

/** The weights of a model's layers, read on demand. */
interface KerasWeights {

    /** The layer's weight arrays in Keras's own order (empty when the layer has none). */
    List<KerasArray> of(LayerRef layer);
}
