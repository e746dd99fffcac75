package io.plugboard.serving;

import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request of zeros (dynamic dimensions set to 1), run on each instance before a model is READY
 * so the first client does not pay for the engine's lazy initialisation. A model that rejects
 * zeros is still served: warm-up failures are logged, not fatal.
 */
final class Warmup {

    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    private static final long MAX_ELEMENTS = 1 << 24;

    private final String modelId;
    private final Optional<Map<String, Tensor>> inputs;
    private final LinkedHashSet<String> outputs = new LinkedHashSet<>();

    /** The warm-up request for a model; none when an input's shape is unknown or too large. */
    Warmup(String modelId, ModelSignature signature) {
        this.modelId = modelId;
        this.inputs = zeros(signature);
        signature.outputs().forEach(o -> outputs.add(o.name()));
    }

    /** Runs the request on {@code instance}. */
    void run(ModelInstance instance) {
        if (inputs.isEmpty()) {
            return;
        }
        try {
            instance.infer(inputs.get(), outputs);
        } catch (RuntimeException e) {
            log.debug("Warm-up of {} skipped: {}", modelId, e.getMessage());
        }
    }

    private static Optional<Map<String, Tensor>> zeros(ModelSignature signature) {
        Map<String, Tensor> zeros = new HashMap<>();
        for (TensorSpec spec : signature.inputs()) {
            if (spec.shape() == null) {
                return Optional.empty();
            }
            long[] shape = spec.shape();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] < 0 ? 1 : shape[i];
            }
            long count = Shape.elementCount(shape, MAX_ELEMENTS);
            if (count < 0) {
                return Optional.empty();
            }
            zeros.put(spec.name(), spec.datatype() == DataType.BYTES
                    ? Tensor.ofBytes(shape, Collections.nCopies((int) count, new byte[0]))
                    : Tensor.of(spec.datatype(), shape, ByteBuffer.allocate((int) count * spec.datatype().byteSize())));
        }
        return Optional.of(zeros);
    }
}
