package io.plugboard.backend.djl;

import io.plugboard.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/** One call through a DJL predictor: named inputs and the outputs wanted. */
record DjlRequest(Map<String, Tensor> inputs, Set<String> outputs) {
}
