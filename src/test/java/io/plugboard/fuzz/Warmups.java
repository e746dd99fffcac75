package io.plugboard.fuzz;

import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Runs zeros of a signature's shapes (dynamic dimensions 1) the way the server's warm-up does. */
final class Warmups {

    private static final long MAX_ELEMENTS = 1 << 22;

    private Warmups() {
    }

    /** The signature with every input given {@code shape} (for engines that declare none). */
    static ModelSignature withShapes(ModelSignature signature, long[] shape) {
        return new ModelSignature(signature.inputs().stream()
                .map(s -> new TensorSpec(s.name(), s.datatype(), shape.clone())).toList(), signature.outputs());
    }

    static void run(ModelSignature signature, ModelInstance instance) {
        Map<String, Tensor> inputs = new HashMap<>();
        for (TensorSpec spec : signature.inputs()) {
            if (spec.shape() == null) {
                return;
            }
            long[] shape = spec.shape();
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] < 0 ? 1 : shape[i]; // as the server's warm-up: dynamic 1, zero stays
            }
            for (long d : shape) {
                count = count == 0 ? 0 : Math.min(MAX_ELEMENTS + 1, count * Math.min(d, MAX_ELEMENTS + 1));
            }
            if (count > MAX_ELEMENTS) {
                return;
            }
            inputs.put(spec.name(), spec.datatype() == DataType.BYTES
                    ? Tensor.ofBytes(shape, Collections.nCopies((int) count, new byte[0]))
                    : Tensor.of(spec.datatype(), shape, ByteBuffer.allocate((int) count * spec.datatype().byteSize())));
        }
        try {
            instance.infer(inputs, Set.of());
        } catch (PlugboardException e) {
            if (e.type().status() >= 500) {
                throw e;
            }
        }
    }
}
