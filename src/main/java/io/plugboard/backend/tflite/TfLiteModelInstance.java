package io.plugboard.backend.tflite;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import io.plugboard.backend.BaseLoadedModel;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import io.plugboard.tensor.TensorSpec;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteInterpreterOptions;
import org.bytedeco.tensorflowlite.TfLiteModel;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/** An interpreter over a shared TFLite model: the third lifecycle level for TensorFlow Lite. */
final class TfLiteModelInstance implements ModelInstance {

    /** The loaded model: shared, immutable; deleted after every interpreter is. */
    static final class Model extends BaseLoadedModel {
        private final TfLiteModel model;

        Model(TfLiteModel model, ModelSignature signature, io.plugboard.backend.Target target) {
            super(signature, target);
            this.model = model;
        }

        @Override
        public ModelInstance newInstance() {
            return new TfLiteModelInstance(interpreter(model), signature());
        }

        @Override
        public void close() {
            TfLiteModelDelete(model);
        }
    }

    private final TfLiteInterpreter interpreter;
    private final ModelSignature signature;

    private TfLiteModelInstance(TfLiteInterpreter interpreter, ModelSignature signature) {
        this.interpreter = interpreter;
        this.signature = signature;
    }

    static TfLiteInterpreter interpreter(TfLiteModel model) {
        TfLiteInterpreterOptions options = TfLiteInterpreterOptionsCreate();
        try {
            TfLiteInterpreter interpreter = TfLiteInterpreterCreate(model, options);
            if (interpreter == null || interpreter.isNull()) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "TensorFlow Lite could not build an "
                        + "interpreter for the model (an operator it does not know?).");
            }
            if (TfLiteInterpreterAllocateTensors(interpreter) != kTfLiteOk) {
                TfLiteInterpreterDelete(interpreter);
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "TensorFlow Lite could not allocate the "
                        + "model's tensors.");
            }
            return interpreter;
        } finally {
            TfLiteInterpreterOptionsDelete(options);
        }
    }

    @Override
    public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
        List<TensorSpec> specs = signature.inputs();
        for (int i = 0; i < specs.size(); i++) {
            Tensor t = inputs.get(specs.get(i).name());
            TfLiteTensor target = TfLiteInterpreterGetInputTensor(interpreter, i);
            long bytes = t.byteSize();
            if (!holdsData(target, bytes)) {
                throw new PlugboardException(ProblemType.INFERENCE_FAILED, "TensorFlow Lite has no room for input '"
                        + specs.get(i).name() + "' (" + bytes + " bytes).");
            }
            try (BytePointer in = new BytePointer(bytes)) {
                t.copyTo(in.asByteBuffer().order(ByteOrder.nativeOrder()));
                if (TfLiteTensorCopyFromBuffer(target, in, bytes) != kTfLiteOk) {
                    throw new PlugboardException(ProblemType.INFERENCE_FAILED, "TensorFlow Lite refused input '"
                            + specs.get(i).name() + "'.");
                }
            }
        }
        if (TfLiteInterpreterInvoke(interpreter) != kTfLiteOk) {
            throw new PlugboardException(ProblemType.INFERENCE_FAILED, "TensorFlow Lite failed to run the model.");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < signature.outputs().size(); i++) {
            TensorSpec spec = signature.outputs().get(i);
            if (!outputs.isEmpty() && !outputs.contains(spec.name())) {
                continue;
            }
            TfLiteTensor tensor = TfLiteInterpreterGetOutputTensor(interpreter, i);
            long[] shape = new long[TfLiteTensorNumDims(tensor)];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = TfLiteTensorDim(tensor, d);
            }
            long size = TfLiteTensorByteSize(tensor);
            if (!holdsData(tensor, size)) {
                throw new PlugboardException(ProblemType.INFERENCE_FAILED, "TensorFlow Lite produced no data for output '"
                        + spec.name() + "'.");
            }
            long elements = 1;
            for (long d : shape) {
                elements = d < 0 ? -1 : elements * d;
            }
            if (elements < 0 || elements * spec.datatype().byteSize() != size) {
                throw new PlugboardException(ProblemType.INFERENCE_FAILED, "TensorFlow Lite produced " + size
                        + " bytes for output '" + spec.name() + "' of shape " + java.util.Arrays.toString(shape) + ".");
            }
            if (size == 0) { // an empty output (a zero dimension): JavaCPP would allocate a byte for it
                out.put(spec.name(), Tensor.copyOf(spec.datatype(), shape, java.nio.ByteBuffer.allocate(0)));
                continue;
            }
            try (BytePointer buffer = new BytePointer(size)) {
                TfLiteTensorCopyToBuffer(tensor, buffer, size);
                out.put(spec.name(), Tensor.copyOf(spec.datatype(), shape,
                        buffer.asByteBuffer().order(ByteOrder.nativeOrder())));
            }
        }
        return out;
    }

    /** A tensor TensorFlow Lite would copy {@code bytes} into or out of: allocated, of that size. */
    private static boolean holdsData(TfLiteTensor tensor, long bytes) {
        if (tensor == null || tensor.isNull() || TfLiteTensorByteSize(tensor) != bytes) {
            return false;
        }
        Pointer data = TfLiteTensorData(tensor);
        return bytes == 0 || (data != null && !data.isNull());
    }

    @Override
    public void close() {
        TfLiteInterpreterDelete(interpreter);
    }
}
