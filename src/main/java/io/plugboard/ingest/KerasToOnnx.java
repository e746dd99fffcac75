package io.plugboard.ingest;

import io.plugboard.convert.keras.KerasConversion;
import io.plugboard.convert.keras.KerasConverter;
import io.plugboard.format.Detection;
import io.plugboard.format.ModelFormat;
import io.plugboard.store.Staging;
import java.nio.file.Path;

/**
 * A Keras model (a whole-model {@code .h5}, or a Keras 3 {@code .keras}) is converted to an ONNX
 * graph beside it, which ONNX Runtime then serves on every target it has. The upload's file is
 * kept with the converted graph; the version keeps its Keras format.
 */
public final class KerasToOnnx implements FormatPreparation {

    private final KerasConverter converter;

    public KerasToOnnx(KerasConverter converter) {
        this.converter = converter;
    }

    @Override
    public Detection afterDetection(Staging staging, Detection detection) {
        if (detection.format() != ModelFormat.KERAS_H5 && detection.format() != ModelFormat.KERAS_V3) {
            return detection;
        }
        String converted = detection.mainFile() + ".onnx";
        Path out = staging.filesDirectory().resolve(converted);
        KerasConversion conversion = converter.convert(staging.filesDirectory().resolve(detection.mainFile()), out);
        staging.rescan();
        return new Detection(detection.format(), converted, detection.evidence() + "; converted to ONNX ("
                + conversion.layerClasses().size() + " layer classes, Keras " + conversion.kerasVersion() + ")");
    }
}
