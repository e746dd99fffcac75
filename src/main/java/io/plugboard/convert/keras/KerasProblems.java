package io.plugboard.convert.keras;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.List;
import java.util.Map;

/** The failures a Keras conversion reports. */
final class KerasProblems {

    private KerasProblems() {
    }

    static PlugboardException notAModel(String detail) {
        return new PlugboardException(ProblemType.NOT_A_MODEL, "Not a readable Keras model: " + detail);
    }

    static PlugboardException notAModel(String detail, Throwable cause) {
        return new PlugboardException(ProblemType.NOT_A_MODEL, "Not a readable Keras model: " + detail,
                Map.of(), cause);
    }

    static PlugboardException weightsOnly() {
        return new PlugboardException(ProblemType.UNSUPPORTED_FORMAT,
                "This Keras file holds only weights; the model architecture is missing. Save the whole model"
                        + " with model.save(\"model.h5\") or model.save(\"model.keras\") and upload that file.",
                Map.of("hint", "model.save(\"model.keras\")"));
    }

    static PlugboardException unsupportedLayers(List<String> classes) {
        return new PlugboardException(ProblemType.UNSUPPORTED_FORMAT,
                "The model uses Keras layers that cannot be converted to ONNX: " + String.join(", ", classes),
                Map.of("layers", List.copyOf(classes)));
    }

    static PlugboardException unsupported(String detail) {
        return new PlugboardException(ProblemType.UNSUPPORTED_FORMAT, detail);
    }
}
