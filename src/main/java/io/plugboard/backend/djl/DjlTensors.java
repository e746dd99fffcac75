package io.plugboard.backend.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Converts between the server's {@link Tensor} and DJL {@link NDArray}s. */
final class DjlTensors {

    private DjlTensors() {
    }

    static Optional<DataType> dataType(ai.djl.ndarray.types.DataType type) {
        return Optional.ofNullable(switch (type) {
            case FLOAT32 -> DataType.FP32;
            case FLOAT64 -> DataType.FP64;
            case FLOAT16 -> DataType.FP16;
            case BFLOAT16 -> DataType.BF16;
            case UINT8 -> DataType.UINT8;
            case UINT16 -> DataType.UINT16;
            case UINT32 -> DataType.UINT32;
            case UINT64 -> DataType.UINT64;
            case INT8 -> DataType.INT8;
            case INT16 -> DataType.INT16;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case BOOLEAN -> DataType.BOOL;
            case STRING -> DataType.BYTES;
            default -> null;
        });
    }

    static ai.djl.ndarray.types.DataType djlType(DataType type) {
        return switch (type) {
            case FP32 -> ai.djl.ndarray.types.DataType.FLOAT32;
            case FP64 -> ai.djl.ndarray.types.DataType.FLOAT64;
            case FP16 -> ai.djl.ndarray.types.DataType.FLOAT16;
            case BF16 -> ai.djl.ndarray.types.DataType.BFLOAT16;
            case UINT8 -> ai.djl.ndarray.types.DataType.UINT8;
            case UINT16 -> ai.djl.ndarray.types.DataType.UINT16;
            case UINT32 -> ai.djl.ndarray.types.DataType.UINT32;
            case UINT64 -> ai.djl.ndarray.types.DataType.UINT64;
            case INT8 -> ai.djl.ndarray.types.DataType.INT8;
            case INT16 -> ai.djl.ndarray.types.DataType.INT16;
            case INT32 -> ai.djl.ndarray.types.DataType.INT32;
            case INT64 -> ai.djl.ndarray.types.DataType.INT64;
            case BOOL -> ai.djl.ndarray.types.DataType.BOOLEAN;
            case BYTES -> ai.djl.ndarray.types.DataType.STRING;
        };
    }

    /** An array owned by {@code manager} holding a copy of {@code tensor}. */
    static NDArray toArray(NDManager manager, String name, Tensor tensor) {
        Shape shape = new Shape(tensor.shape());
        NDArray array;
        if (tensor.datatype() == DataType.BYTES) {
            List<byte[]> elements = tensor.elements();
            String[] strings = new String[elements.size()];
            for (int i = 0; i < strings.length; i++) {
                strings[i] = new String(elements.get(i), StandardCharsets.UTF_8);
            }
            array = manager.create(strings, StandardCharsets.UTF_8, shape);
        } else {
            ByteBuffer direct = ByteBuffer.allocateDirect((int) tensor.byteSize()).order(ByteOrder.nativeOrder());
            tensor.copyTo(direct);
            direct.flip();
            array = manager.create(direct, shape, djlType(tensor.datatype()));
        }
        array.setName(name);
        return array;
    }

    /** Copies an engine output into a server tensor. */
    static Tensor fromArray(String name, NDArray array) {
        DataType type = dataType(array.getDataType()).orElseThrow(() -> new PlugboardException(
                ProblemType.UNSUPPORTED_DATATYPE, "Output '" + name + "' has element type " + array.getDataType()
                        + ", which the server cannot return."));
        long[] shape = array.getShape().getShape();
        if (type == DataType.BYTES) {
            List<byte[]> elements = new ArrayList<>();
            for (String s : array.toStringArray(StandardCharsets.UTF_8)) {
                elements.add(s.getBytes(StandardCharsets.UTF_8));
            }
            return Tensor.ofBytes(shape, elements);
        }
        return Tensor.copyOf(type, shape, array.toByteBuffer().order(ByteOrder.nativeOrder()));
    }
}
