package io.plugboard.convert.keras;

import java.util.List;

/** Turns one call of one Keras layer into ONNX nodes. */
@FunctionalInterface
interface LayerConverter {

    /** The layer's outputs for the call's inputs. */
    List<KerasTensor> convert(LayerCall call);
}
