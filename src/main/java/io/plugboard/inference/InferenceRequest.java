package io.plugboard.inference;

import io.plugboard.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A decoded inference request, independent of its wire protocol: the client's request id (echoed),
 * named inputs, the outputs wanted (empty for all) and an optional timeout overriding the model's.
 */
public record InferenceRequest(String id, Map<String, Tensor> inputs, List<String> outputs, Duration timeout) {

    public InferenceRequest {
        inputs = Map.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
}
