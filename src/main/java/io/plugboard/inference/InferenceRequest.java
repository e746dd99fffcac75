package io.plugboard.inference;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A decoded inference request, independent of its wire protocol: the client's request id (echoed),
 * named inputs, the outputs wanted (empty for all) and an optional timeout overriding the model's.
 */
public record InferenceRequest(String id, Map<String, Tensor> inputs, List<String> outputs, Duration timeout) {

    /**
     * The most inputs, or outputs asked for, one request may name: far more than any model has.
     * A request naming more is refused as it is read, before the tensors of thousands of tiny
     * inputs cost many times the memory their bytes do.
     */
    public static final int MAX_TENSORS = 4096;

    /** Refuses {@code count} {@code what} ("inputs", "outputs") past {@link #MAX_TENSORS}. */
    public static void requireAtMostMaxTensors(int count, String what) {
        if (count > MAX_TENSORS) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The request names more than " + MAX_TENSORS
                    + " " + what + "; a model has far fewer.", Map.of("limit", MAX_TENSORS));
        }
    }

    public InferenceRequest {
        inputs = Map.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
}
