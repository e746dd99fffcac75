package io.plugboard.inference;

import io.plugboard.tensor.Tensor;
import java.util.Map;

/** What a model answered: outputs in the model's order, the model id and version that ran. */
public record InferenceResult(String modelName, String modelVersion, String id, Map<String, Tensor> outputs) {
}
