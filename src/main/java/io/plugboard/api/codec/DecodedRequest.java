package io.plugboard.api.codec;

import io.plugboard.inference.InferenceRequest;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON part of an Open Inference Protocol request: inputs carried inline, inputs whose bytes
 * follow in the binary section, wanted outputs (each possibly asked for in binary) and parameters.
 */
public record DecodedRequest(String id, Map<String, Tensor> inputs, List<BinaryInput> binaryInputs,
        List<OutputRequest> outputs, Duration timeout, boolean binaryOutputAll) {

    /** An input whose {@code size} bytes follow the JSON header, in input order. */
    public record BinaryInput(String name, DataType datatype, long[] shape, long size) {
    }

    /**
     * A wanted output, and whether it should come back in the binary section: null when the entry
     * does not say (then {@code binary_data_output} decides), false to keep it in JSON even so.
     */
    public record OutputRequest(String name, Boolean binary) {
    }

    /** The protocol-neutral request, with the binary inputs now decoded. */
    public InferenceRequest request(Map<String, Tensor> decodedBinary) {
        Map<String, Tensor> all = new LinkedHashMap<>(inputs);
        all.putAll(decodedBinary);
        return new InferenceRequest(id, all, outputs.stream().map(OutputRequest::name).toList(), timeout);
    }

    /**
     * Outputs to send in binary: those asked for individually, or with {@code binary_data_output}
     * all but those whose entry says {@code "binary_data": false}.
     */
    public Set<String> binaryOutputs(Set<String> produced) {
        if (!binaryOutputAll) {
            return outputs.stream().filter(o -> Boolean.TRUE.equals(o.binary())).map(OutputRequest::name)
                    .collect(Collectors.toSet());
        }
        Set<String> json = outputs.stream().filter(o -> Boolean.FALSE.equals(o.binary())).map(OutputRequest::name)
                .collect(Collectors.toSet());
        return json.isEmpty() ? produced
                : produced.stream().filter(o -> !json.contains(o)).collect(Collectors.toSet());
    }
}
