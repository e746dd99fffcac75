package io.plugboard.convert.keras;

import java.util.List;

/**
 * What a Keras-to-ONNX conversion produced.
 *
 * @param kerasVersion the Keras version the file says saved it ("unknown" when it does not say)
 * @param inputNames ONNX graph inputs, named after the Keras input layers
 * @param outputNames ONNX graph outputs, named after the Keras output layers
 * @param layerClasses the distinct Keras layer classes in the model, sorted
 */
public record KerasConversion(String kerasVersion, List<String> inputNames, List<String> outputNames,
        List<String> layerClasses) {

    public KerasConversion {
        inputNames = List.copyOf(inputNames);
        outputNames = List.copyOf(outputNames);
        layerClasses = List.copyOf(layerClasses);
    }
}
