package io.plugboard.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Tensor;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Converts between the server's {@link Tensor} and ONNX Runtime tensors. */
final class OnnxTensors {

    private OnnxTensors() {
    }

    /** The protocol datatype of an ONNX element type, whether or not the Java API can carry it. */
    static Optional<DataType> dataType(TensorInfo.OnnxTensorType onnxType) {
        return Optional.ofNullable(switch (onnxType) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> DataType.BF16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
            default -> null;
        });
    }

    /** Whether ONNX Runtime's Java API can create and read tensors of this type. */
    static boolean carried(DataType type) {
        return javaType(type).isPresent();
    }

    private static Optional<OnnxJavaType> javaType(DataType type) {
        return Optional.ofNullable(switch (type) {
            case FP32 -> OnnxJavaType.FLOAT;
            case FP64 -> OnnxJavaType.DOUBLE;
            case FP16 -> OnnxJavaType.FLOAT16;
            case BF16 -> OnnxJavaType.BFLOAT16;
            case INT8 -> OnnxJavaType.INT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            case BYTES -> OnnxJavaType.STRING;
            default -> null;
        });
    }

    /**
     * A native tensor holding a copy of {@code tensor}, staged through {@code scratch} (a direct
     * buffer reused across calls of one instance, so no direct memory is allocated per request);
     * the caller closes the tensor before the scratch buffer is reused.
     */
    static OnnxTensor toOnnx(OrtEnvironment env, String name, Tensor tensor, ScratchBuffers scratch) throws OrtException {
        if (tensor.datatype() == DataType.BYTES) {
            List<byte[]> elements = tensor.elements();
            String[] strings = new String[elements.size()];
            java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
            for (int i = 0; i < strings.length; i++) {
                try {
                    strings[i] = utf8.decode(ByteBuffer.wrap(elements.get(i))).toString();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new PlugboardException(ProblemType.INVALID_TENSOR, "Input '" + name + "' element " + i
                            + " is not UTF-8 text: ONNX Runtime's Java API carries BYTES elements as text, so "
                            + "other bytes would be changed; send them as UINT8.", Map.of("input", name));
                }
            }
            return OnnxTensor.createTensor(env, strings, tensor.shape());
        }
        OnnxJavaType javaType = javaType(tensor.datatype()).orElseThrow(() -> unsupported(name, tensor.datatype()));
        ByteBuffer direct = scratch.take(name, (int) tensor.byteSize());
        tensor.copyTo(direct);
        direct.flip();
        return OnnxTensor.createTensor(env, direct, tensor.shape(), javaType);
    }

    /** Copies a native output into a server tensor. */
    static Tensor fromOnnx(String name, OnnxTensor value) throws OrtException {
        TensorInfo info = value.getInfo();
        DataType type = dataType(info.onnxType).orElseThrow(() -> new PlugboardException(
                ProblemType.UNSUPPORTED_DATATYPE, "Output '" + name + "' has element type " + info.onnxType
                        + ", which the server cannot return."));
        long[] shape = info.getShape();
        if (type == DataType.BYTES) {
            List<byte[]> elements = new ArrayList<>();
            flattenStrings(value.getValue(), elements);
            return Tensor.ofBytes(shape, elements);
        }
        if (!carried(type)) {
            throw unsupported(name, type);
        }
        return Tensor.copyOf(type, shape, value.getByteBuffer());
    }

    static PlugboardException unsupported(String name, DataType type) {
        return new PlugboardException(ProblemType.UNSUPPORTED_DATATYPE, "Tensor '" + name + "' has element type "
                + type + ", which ONNX Runtime's Java API cannot carry (it has no UINT16/UINT32/UINT64 "
                + "tensors). Cast it to a signed type in the model (e.g. Cast to INT64) and upload again.",
                Map.of("datatype", type.name(), "tensor", name));
    }

    private static void flattenStrings(Object value, List<byte[]> out) {
        if (value instanceof String s) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        } else if (value != null && value.getClass().isArray()) {
            int n = Array.getLength(value);
            for (int i = 0; i < n; i++) {
                flattenStrings(Array.get(value, i), out);
            }
        }
    }
}
