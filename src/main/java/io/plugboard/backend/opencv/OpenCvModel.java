package io.plugboard.backend.opencv;

import io.plugboard.backend.BaseLoadedModel;
import io.plugboard.backend.EngineMessages;
import io.plugboard.backend.LoadedModel;
import io.plugboard.backend.ModelInstance;
import io.plugboard.backend.ModelSignature;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;

/** An OpenCV DNN network; every instance reads its own {@link Net} (OpenCV nets are not thread-safe). */
final class OpenCvModel extends BaseLoadedModel {

    private final Supplier<Net> reader;
    private final Runnable release;

    /** {@code reader} makes a new net from the model's bytes; {@code release} frees those bytes. */
    OpenCvModel(Supplier<Net> reader, ModelSignature signature, io.plugboard.backend.Target target, Runnable release) {
        super(signature, target);
        this.reader = reader;
        this.release = release;
    }

    @Override
    public ModelInstance newInstance() {
        Net net = reader.get();
        return new ModelInstance() {
            @Override
            public Map<String, Tensor> infer(Map<String, Tensor> inputs, Set<String> outputs) {
                Tensor data = inputs.get("data");
                long[] shape = data.shape();
                int[] sizes = new int[shape.length];
                for (int i = 0; i < shape.length; i++) {
                    sizes[i] = (int) shape[i];
                }
                float[] values = new float[data.elementCount()];
                data.data().asFloatBuffer().get(values);
                try (Mat blob = new Mat(sizes.length, sizes, org.bytedeco.opencv.global.opencv_core.CV_32F);
                        FloatPointer in = new FloatPointer(blob.data())) {
                    in.put(values);
                    net.setInput(blob);
                    try (Mat out = net.forward()) {
                        long[] outShape = new long[out.dims()];
                        for (int i = 0; i < outShape.length; i++) {
                            outShape[i] = out.size(i);
                        }
                        float[] result = new float[(int) out.total()];
                        try (FloatPointer op = new FloatPointer(out.data())) {
                            op.get(result);
                        }
                        ByteBuffer bytes = ByteBuffer.allocate(result.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                        bytes.asFloatBuffer().put(result);
                        return Map.of("output", Tensor.of(DataType.FP32, outShape, bytes));
                    }
                } catch (RuntimeException e) {
                    throw new PlugboardException(ProblemType.INFERENCE_FAILED, "OpenCV rejected the input: "
                            + EngineMessages.firstLine(e.getMessage()), e);
                }
            }

            @Override
            public void close() {
                net.close();
            }
        };
    }

    @Override
    public void close() {
        release.run(); // each instance closes its own net
    }
}
