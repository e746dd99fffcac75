package io.plugboard.backend.tflite;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import io.plugboard.backend.Backend;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelSignature;
import io.plugboard.backend.ModelSource;
import io.plugboard.backend.NativeCache;
import io.plugboard.format.ModelFormat;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorflowlite.TfLiteInterpreter;
import org.bytedeco.tensorflowlite.TfLiteModel;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/**
 * Serves TensorFlow Lite flatbuffers with the TFLite C API (bytedeco tensorflow-lite 2.20). Inputs
 * and outputs keep the model's tensor names and fixed shapes. One model is shared; each instance
 * has its own interpreter (interpreters run one call at a time).
 */
public final class TfLiteBackend implements Backend {

    private final NativeCache cache;

    public TfLiteBackend(NativeCache cache) {
        this.cache = cache;
    }

    @Override
    public String name() {
        return "tflite";
    }

    @Override
    public Set<ModelFormat> formats() {
        return Set.of(ModelFormat.TFLITE);
    }

    @Override
    public Optional<String> unavailableReason() {
        return getClass().getClassLoader().getResource("org/bytedeco/tensorflowlite/linux-x86_64/") == null
                ? Optional.of("this build has no TensorFlow Lite native library (org.bytedeco:tensorflow-lite:linux-x86_64)")
                : Optional.empty();
    }

    @Override
    public void warmUp() {
        cache.loadNatives(NativeCache.Natives.TENSORFLOW_LITE,
                () -> Loader.load(org.bytedeco.tensorflowlite.global.tensorflowlite.class));
    }

    @Override
    public LoadedModel load(ModelSource source, io.plugboard.backend.Target target) {
        checkStructure(source.mainPath());
        TfLiteModel model;
        try {
            warmUp();
            model = TfLiteModelCreateFromFile(source.mainPath().toString());
        } catch (RuntimeException | LinkageError e) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "TensorFlow Lite could not start: " + e.getMessage(), e);
        }
        if (model == null || model.isNull()) {
            throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "TensorFlow Lite could not read the model "
                    + "(not a valid flatbuffer, or an unsupported schema).");
        }
        TfLiteInterpreter probe = null;
        try {
            probe = TfLiteModelInstance.interpreter(model);
            List<TensorSpec> inputs = new ArrayList<>();
            for (int i = 0; i < TfLiteInterpreterGetInputTensorCount(probe); i++) {
                inputs.add(spec(TfLiteInterpreterGetInputTensor(probe, i)));
            }
            List<TensorSpec> outputs = new ArrayList<>();
            for (int i = 0; i < TfLiteInterpreterGetOutputTensorCount(probe); i++) {
                outputs.add(spec(TfLiteInterpreterGetOutputTensor(probe, i)));
            }
            return new TfLiteModelInstance.Model(model, new ModelSignature(inputs, outputs), target);
        } catch (RuntimeException e) {
            // the interpreter reads the model's memory: it goes first, then the model
            if (probe != null) {
                TfLiteInterpreterDelete(probe);
                probe = null;
            }
            TfLiteModelDelete(model);
            throw e;
        } finally {
            if (probe != null) {
                TfLiteInterpreterDelete(probe);
            }
        }
    }

    /** Files up to this size are read onto the heap for the check; larger ones are mapped. */
    private static final long READ_WHOLE = 64L << 20;

    /**
     * The model's structure, checked before TensorFlow Lite sees it. Small files are read (a mapping
     * is only released by the garbage collector, and many quick uploads would run out of them);
     * large ones are mapped read-only.
     */
    private static void checkStructure(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new PlugboardException(ProblemType.MODEL_LOAD_FAILED, "The TensorFlow Lite model is larger "
                        + "than 2 GB; it is refused before TensorFlow Lite reads it.");
            }
            if (size <= READ_WHOLE) {
                java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) size);
                while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                    // read to the end
                }
                TfLiteModelCheck.check(bytes.flip());
            } else {
                TfLiteModelCheck.check(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TensorSpec spec(TfLiteTensor tensor) {
        String name = TfLiteTensorName(tensor).getString();
        int type = TfLiteTensorType(tensor);
        DataType datatype = dataType(type).orElseThrow(() -> new PlugboardException(ProblemType.UNSUPPORTED_DATATYPE,
                "Tensor '" + name + "' has TensorFlow Lite type " + type + ", which the server does not carry.",
                Map.of("tensor", name)));
        long[] shape = new long[TfLiteTensorNumDims(tensor)];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = TfLiteTensorDim(tensor, d);
        }
        return new TensorSpec(name, datatype, shape);
    }

    static Optional<DataType> dataType(int tfliteType) {
        return Optional.ofNullable(switch (tfliteType) {
            case kTfLiteFloat32 -> DataType.FP32;
            case kTfLiteFloat64 -> DataType.FP64;
            case kTfLiteFloat16 -> DataType.FP16;
            case kTfLiteBFloat16 -> DataType.BF16;
            case kTfLiteInt8 -> DataType.INT8;
            case kTfLiteInt16 -> DataType.INT16;
            case kTfLiteInt32 -> DataType.INT32;
            case kTfLiteInt64 -> DataType.INT64;
            case kTfLiteUInt8 -> DataType.UINT8;
            case kTfLiteUInt16 -> DataType.UINT16;
            case kTfLiteUInt32 -> DataType.UINT32;
            case kTfLiteUInt64 -> DataType.UINT64;
            case kTfLiteBool -> DataType.BOOL;
            default -> null;
        });
    }

    @Override
    public void close() {
        // models are deleted with their LoadedModel
    }
}
