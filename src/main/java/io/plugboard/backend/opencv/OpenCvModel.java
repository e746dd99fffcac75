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
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.StringVector;
import org.bytedeco.opencv.opencv_dnn.Net;

/** An OpenCV DNN network; every instance reads its own {@link Net} (OpenCV nets are not thread-safe). */
final class OpenCvModel extends BaseLoadedModel {

    private final Supplier<Net> reader;
    private final java.util.List<String> layers;
    private final Runnable release;

    /**
     * {@code reader} makes a new net from the model's bytes; {@code layers} are the output layers as
     * OpenCV names them, in the order of the signature's outputs; {@code release} frees the bytes.
     */
    OpenCvModel(Supplier<Net> reader, ModelSignature signature, java.util.List<String> layers,
            io.plugboard.backend.Target target, Runnable release) {
        super(signature, target);
        this.reader = reader;
        this.layers = java.util.List.copyOf(layers);
        this.release = release;
    }

    /** Nets being read from the model's bytes now; closing waits for them before it frees the bytes. */
    private int reading;
    private boolean closed;

    @Override
    public ModelInstance newInstance() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("The model is closed");
            }
            reading++;
        }
        Net net;
        try {
            net = reader.get();
        } finally {
            synchronized (this) {
                reading--;
                notifyAll();
            }
        }
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
                java.util.List<String> names = signature().outputs().stream().map(s -> s.name()).toList();
                try (Mat blob = new Mat(sizes.length, sizes, org.bytedeco.opencv.global.opencv_core.CV_32F);
                        FloatPointer in = new FloatPointer(blob.data());
                        StringVector wanted = new StringVector(layers.toArray(String[]::new));
                        MatVector results = new MatVector()) {
                    in.put(values);
                    net.setInput(blob);
                    net.forward(results, wanted);
                    Map<String, Tensor> out = new java.util.LinkedHashMap<>();
                    for (int k = 0; k < names.size() && k < results.size(); k++) {
                        if (outputs.isEmpty() || outputs.contains(names.get(k))) {
                            try (Mat result = results.get(k)) {
                                out.put(names.get(k), tensor(result));
                            }
                        }
                    }
                    return out;
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

    /** A result blob as an FP32 tensor of its shape. */
    private static Tensor tensor(Mat out) {
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
        return Tensor.of(DataType.FP32, outShape, bytes);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            boolean interrupted = false;
            while (reading > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        release.run(); // each instance closes its own net
    }
}
