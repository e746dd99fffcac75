package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * Triton's raw binary request ({@code Inference-Header-Content-Length: 0}): the body is the bytes
 * of a model's one input and nothing else, so the input's name, datatype and shape come from the
 * model. A batching model's batch dimension is 1; of the other dimensions at most one may be of
 * any size, and it is deduced from the body's length. A BYTES input must hold one element: the
 * whole body. Every output is answered, in binary.
 */
public final class RawBinaryRequest {

    private RawBinaryRequest() {
    }

    /**
     * The one input a body of {@code bytes} bytes carries, for a model taking {@code inputs}. For
     * BYTES, its size counts the 4-byte length that precedes the element in binary tensor data.
     */
    public static DecodedRequest.BinaryInput input(List<TensorSpec> inputs, boolean batching, long bytes) {
        if (inputs.size() != 1) {
            throw refused("the model takes " + inputs.size() + " inputs, not one");
        }
        TensorSpec spec = inputs.get(0);
        if (spec.shape() == null || spec.datatype() == null) {
            throw refused("the model does not declare its input's " + (spec.shape() == null ? "shape" : "datatype"));
        }
        long[] shape = spec.shape();
        if (batching && shape.length > 0 && shape[0] < 0) {
            shape[0] = 1;
        }
        if (spec.datatype() == DataType.BYTES) {
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    shape[i] = 1;
                } else if (shape[i] != 1) {
                    throw refused("its BYTES input '" + spec.name() + "' has shape " + Shape.format(spec.shape())
                            + ", not one element");
                }
            }
            return new DecodedRequest.BinaryInput(spec.name(), DataType.BYTES, shape, Math.addExact(bytes, 4));
        }
        int open = -1;
        long known = spec.datatype().byteSize();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0) {
                known = shape[i] != 0 && known > Long.MAX_VALUE / shape[i] ? Long.MAX_VALUE : known * shape[i];
            } else if (open >= 0) {
                throw refused("its input '" + spec.name() + "' has shape " + Shape.format(spec.shape())
                        + ", more than one dimension of any size");
            } else {
                open = i;
            }
        }
        if (open >= 0) {
            if (known == 0) { // a dimension of 0: no elements, whatever the open one is
                shape[open] = 1;
            } else if (bytes % known != 0) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "The body's " + bytes + " bytes are no whole "
                        + "number of " + spec.datatype() + Shape.format(spec.shape()) + " rows (" + known + " bytes each).",
                        Map.of("input", spec.name()));
            } else {
                shape[open] = bytes / known;
            }
        }
        return new DecodedRequest.BinaryInput(spec.name(), spec.datatype(), shape, bytes);
    }

    /** The request a raw body makes: its one input, every output in binary. */
    public static DecodedRequest request(DecodedRequest.BinaryInput input) {
        return new DecodedRequest(null, Map.of(), List.of(input), List.of(), null, true);
    }

    private static PlugboardException refused(String why) {
        return new PlugboardException(ProblemType.MALFORMED_REQUEST, "A raw binary request (Inference-Header-Content-"
                + "Length: 0, the body one input's bytes alone) needs a model with one input whose shape can be "
                + "told from the body's length, and " + why + ". Send a JSON header describing the inputs, with its "
                + "length in Inference-Header-Content-Length.");
    }
}
