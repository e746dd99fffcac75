package io.plugboard.grpc;

import com.google.protobuf.ByteString;
import io.plugboard.grpc.proto.InferTensorContents;
import io.plugboard.grpc.proto.ModelInferRequest;
import io.plugboard.grpc.proto.ModelInferResponse;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tensors of the gRPC protocol and the server's own: typed {@code contents} (each datatype in its
 * field, values range-checked) or {@code raw_input_contents} (little-endian elements; BYTES as a
 * 4-byte little-endian length and the bytes per element), and back: outputs raw when the request
 * came raw (tritonclient reads only raw outputs) and for FP16/BF16, which have no typed field.
 */
final class GrpcTensors {

    private GrpcTensors() {
    }

    /** The request's inputs by name, in request order. */
    static Map<String, Tensor> inputs(ModelInferRequest request) {
        InferenceRequest.requireAtMostMaxTensors(request.getInputsCount(), "inputs");
        int raw = request.getRawInputContentsCount();
        if (raw > 0 && raw != request.getInputsCount()) {
            throw invalid("raw_input_contents has " + raw + " entries for " + request.getInputsCount()
                    + " inputs; send one per input, in the order of inputs.", null);
        }
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor input = request.getInputs(i);
            String name = input.getName();
            DataType type = DataType.fromName(input.getDatatype()).orElseThrow(() -> invalid("Input '" + name
                    + "' has unknown datatype '" + input.getDatatype() + "'.", name));
            if (input.getShapeCount() > Shape.MAX_DIMENSIONS) {
                throw invalid("Input '" + name + "' has " + input.getShapeCount() + " dimensions; shapes have at most "
                        + Shape.MAX_DIMENSIONS + ".", name);
            }
            long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
            long count = Shape.elementCount(shape, Integer.MAX_VALUE);
            if (count < 0) {
                throw invalid("Input '" + name + "' has an invalid shape " + input.getShapeList() + ".", name);
            }
            if (inputs.containsKey(name)) {
                throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "Input '" + name + "' is sent twice.",
                        Map.of("input", name));
            }
            Tensor tensor;
            if (raw > 0) {
                if (input.hasContents()) {
                    throw invalid("Input '" + name + "' has contents although the request uses raw_input_contents.",
                            name);
                }
                tensor = raw(name, type, shape, (int) count, request.getRawInputContents(i));
            } else {
                tensor = typed(name, type, shape, (int) count, input.getContents());
            }
            inputs.put(name, tensor);
        }
        return inputs;
    }

    private static Tensor raw(String name, DataType type, long[] shape, int count, ByteString bytes) {
        ByteBuffer data = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (type != DataType.BYTES) {
            long expected = (long) count * type.byteSize();
            if (data.remaining() != expected) {
                throw invalid("Input '" + name + "' (" + type + " " + Shape.format(shape) + ") needs " + expected
                        + " bytes of raw contents, not " + data.remaining() + ".", name);
            }
            return Tensor.of(type, shape, data); // a view of the message's immutable bytes: no copy
        }
        List<byte[]> elements = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            if (data.remaining() < 4) {
                throw invalid("Input '" + name + "' ends before its element " + i + ".", name);
            }
            int length = data.getInt();
            if (length < 0 || length > data.remaining()) {
                throw invalid("Input '" + name + "' element " + i + " declares " + Integer.toUnsignedString(length)
                        + " bytes, more than are left.", name);
            }
            byte[] element = new byte[length];
            data.get(element);
            elements.add(element);
        }
        if (data.hasRemaining()) {
            throw invalid("Input '" + name + "' has " + data.remaining() + " bytes after its " + count + " elements.",
                    name);
        }
        return Tensor.ofBytes(shape, elements);
    }

    private static Tensor typed(String name, DataType type, long[] shape, int count, InferTensorContents c) {
        int sent = switch (type) {
            case BOOL -> c.getBoolContentsCount();
            case INT8, INT16, INT32 -> c.getIntContentsCount();
            case INT64 -> c.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> c.getUintContentsCount();
            case UINT64 -> c.getUint64ContentsCount();
            case FP32 -> c.getFp32ContentsCount();
            case FP64 -> c.getFp64ContentsCount();
            case BYTES -> c.getBytesContentsCount();
            case FP16, BF16 -> throw invalid("Input '" + name + "' is " + type + ", which has no typed contents field: "
                    + "send it in raw_input_contents.", name);
        };
        if (sent != count) {
            throw invalid("Input '" + name + "' has " + sent + " values for shape " + Shape.format(shape) + " ("
                    + count + " elements) in its " + field(type) + ".", name);
        }
        if (type == DataType.BYTES) {
            List<byte[]> elements = new ArrayList<>(count);
            c.getBytesContentsList().forEach(b -> elements.add(b.toByteArray()));
            return Tensor.ofBytes(shape, elements);
        }
        ByteBuffer data = ByteBuffer.allocate(count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            switch (type) {
                case BOOL -> data.put((byte) (c.getBoolContents(i) ? 1 : 0));
                case INT8 -> data.put((byte) ranged(name, c.getIntContents(i), Byte.MIN_VALUE, Byte.MAX_VALUE));
                case INT16 -> data.putShort((short) ranged(name, c.getIntContents(i), Short.MIN_VALUE, Short.MAX_VALUE));
                case INT32 -> data.putInt(c.getIntContents(i));
                case INT64 -> data.putLong(c.getInt64Contents(i));
                case UINT8 -> data.put((byte) ranged(name, Integer.toUnsignedLong(c.getUintContents(i)), 0, 0xff));
                case UINT16 -> data.putShort((short) ranged(name, Integer.toUnsignedLong(c.getUintContents(i)), 0, 0xffff));
                case UINT32 -> data.putInt(c.getUintContents(i));
                case UINT64 -> data.putLong(c.getUint64Contents(i));
                case FP32 -> data.putFloat(c.getFp32Contents(i));
                case FP64 -> data.putDouble(c.getFp64Contents(i));
                default -> throw new IllegalStateException(type.name());
            }
        }
        return Tensor.of(type, shape, data.flip());
    }

    private static long ranged(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw invalid("Input '" + name + "' holds " + value + ", outside [" + min + ", " + max + "].", name);
        }
        return value;
    }

    private static String field(DataType type) {
        return switch (type) {
            case BOOL -> "bool_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case FP32 -> "fp32_contents";
            case FP64 -> "fp64_contents";
            case BYTES -> "bytes_contents";
            default -> "raw_input_contents";
        };
    }

    /** Adds {@code outputs} to {@code response}: raw when {@code raw}, typed otherwise (FP16/BF16 always raw). */
    static void outputs(Map<String, Tensor> outputs, boolean raw, ModelInferResponse.Builder response) {
        boolean anyRaw = raw || outputs.values().stream()
                .anyMatch(t -> t.datatype() == DataType.FP16 || t.datatype() == DataType.BF16);
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            Tensor t = e.getValue();
            ModelInferResponse.InferOutputTensor.Builder out = ModelInferResponse.InferOutputTensor.newBuilder()
                    .setName(e.getKey()).setDatatype(t.datatype().name());
            for (long d : t.shape()) {
                out.addShape(d);
            }
            if (anyRaw) {
                response.addRawOutputContents(rawBytes(t));
            } else {
                out.setContents(contents(t));
            }
            response.addOutputs(out);
        }
    }

    private static ByteString rawBytes(Tensor t) {
        if (t.datatype() != DataType.BYTES) {
            return ByteString.copyFrom(t.data());
        }
        ByteString.Output out = ByteString.newOutput((int) Math.min(Integer.MAX_VALUE, 4L * t.elementCount() + t.byteSize()));
        ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] element : t.elements()) {
            length.clear();
            length.putInt(element.length);
            out.write(length.array(), 0, 4);
            out.write(element, 0, element.length);
        }
        return out.toByteString();
    }

    private static InferTensorContents contents(Tensor t) {
        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        if (t.datatype() == DataType.BYTES) {
            t.elements().forEach(b -> c.addBytesContents(ByteString.copyFrom(b)));
            return c.build();
        }
        ByteBuffer d = t.data();
        int n = t.elementCount();
        for (int i = 0; i < n; i++) {
            switch (t.datatype()) {
                case BOOL -> c.addBoolContents(d.get() != 0);
                case INT8 -> c.addIntContents(d.get());
                case INT16 -> c.addIntContents(d.getShort());
                case INT32 -> c.addIntContents(d.getInt());
                case INT64 -> c.addInt64Contents(d.getLong());
                case UINT8 -> c.addUintContents(Byte.toUnsignedInt(d.get()));
                case UINT16 -> c.addUintContents(Short.toUnsignedInt(d.getShort()));
                case UINT32 -> c.addUintContents(d.getInt());
                case UINT64 -> c.addUint64Contents(d.getLong());
                case FP32 -> c.addFp32Contents(d.getFloat());
                case FP64 -> c.addFp64Contents(d.getDouble());
                default -> throw new IllegalStateException(t.datatype().name());
            }
        }
        return c.build();
    }

    private static PlugboardException invalid(String detail, String input) {
        return new PlugboardException(ProblemType.INVALID_TENSOR, detail, input == null ? Map.of() : Map.of("input", input));
    }
}
