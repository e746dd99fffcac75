package io.plugboard.model;

import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request of zeros (dynamic dimensions set to 1) before a model is READY, so the first
 * client does not pay for the engine's lazy initialisation. A model that rejects zeros is still
 * served: warm-up failures are logged, not fatal.
 */
final class Warmup {

    private static final Logger log = LoggerFactory.getLogger(Warmup.class);
    private static final long MAX_ELEMENTS = 1 << 24;

    private Warmup() {
    }

    static void run(String id, LoadedModel model) {
        Map<String, Tensor> inputs = new HashMap<>();
        for (TensorSpec spec : model.signature().inputs()) {
            if (spec.shape() == null) {
                return;
            }
            long[] shape = spec.shape();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] < 0 ? 1 : shape[i];
            }
            long count = Shape.elementCount(shape, MAX_ELEMENTS);
            if (count < 0) {
                return;
            }
            inputs.put(spec.name(), spec.datatype() == DataType.BYTES
                    ? Tensor.ofBytes(shape, Collections.nCopies((int) count, new byte[0]))
                    : Tensor.of(spec.datatype(), shape, ByteBuffer.allocate((int) count * spec.datatype().byteSize())));
        }
        LinkedHashSet<String> outputs = new LinkedHashSet<>();
        model.signature().outputs().forEach(o -> outputs.add(o.name()));
        try (ModelInstance instance = model.newInstance()) {
            instance.infer(inputs, outputs);
        } catch (RuntimeException e) {
            log.debug("Warm-up of {} skipped: {}", id, e.getMessage());
        }
    }
}
