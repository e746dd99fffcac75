package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary tensor data extension: raw tensor bytes after the JSON header, little-endian and
 * row-major; BOOL is one byte per element; BYTES elements are a 4-byte little-endian length and
 * the bytes. Sizes are checked against the shapes and the body length before anything is allocated,
 * and each tensor is read once, straight into its buffer.
 */
public final class BinaryTensors {

    private BinaryTensors() {
    }

    /**
     * Reads the binary inputs in order.
     *
     * @param available bytes left in the body after the JSON header, or -1 if unknown
     */
    public static Map<String, Tensor> readInputs(InputStream in, List<DecodedRequest.BinaryInput> inputs, long available)
            throws IOException {
        long total = 0;
        for (DecodedRequest.BinaryInput input : inputs) {
            long count = Shape.elementCount(input.shape(), Integer.MAX_VALUE);
            if (input.datatype().isFixedSize() && input.size() != count * input.datatype().byteSize()) {
                throw invalid("Input '" + input.name() + "' declares binary_data_size " + input.size() + " but "
                        + input.datatype() + Shape.format(input.shape()) + " takes " + count * input.datatype().byteSize()
                        + " bytes.", input.name());
            }
            if (!input.datatype().isFixedSize() && input.size() < 4 * count) {
                throw invalid("Input '" + input.name() + "' declares binary_data_size " + input.size()
                        + ", too small for " + count + " BYTES elements.", input.name());
            }
            total += input.size();
        }
        if (available >= 0 && total != available) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The binary inputs declare " + total
                    + " bytes but the body carries " + available + " after the JSON header.");
        }
        if (total > Integer.MAX_VALUE - 16L * inputs.size()) {
            throw new PlugboardException(ProblemType.PAYLOAD_TOO_LARGE, "The binary inputs exceed 2 GiB.");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (DecodedRequest.BinaryInput input : inputs) {
            byte[] bytes = in.readNBytes((int) input.size());
            if (bytes.length != input.size()) {
                throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The body ended inside the bytes of input '"
                        + input.name() + "'.");
            }
            out.put(input.name(), input.datatype() == DataType.BYTES ? bytesTensor(input, bytes)
                    : Tensor.of(input.datatype(), input.shape(), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)));
        }
        if (available < 0 && in.read() >= 0) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The body holds more bytes than the binary inputs declare.");
        }
        return out;
    }

    private static Tensor bytesTensor(DecodedRequest.BinaryInput input, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) Shape.elementCount(input.shape(), Integer.MAX_VALUE);
        List<byte[]> elements = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (b.remaining() < 4) {
                throw invalid("Input '" + input.name() + "' ends before its element " + i + ".", input.name());
            }
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw invalid("Input '" + input.name() + "' element " + i + " declares " + Integer.toUnsignedString(length)
                        + " bytes, more than are left.", input.name());
            }
            byte[] element = new byte[length];
            b.get(element);
            elements.add(element);
        }
        if (b.hasRemaining()) {
            throw invalid("Input '" + input.name() + "' has " + b.remaining() + " bytes after its " + count
                    + " elements.", input.name());
        }
        return Tensor.ofBytes(input.shape(), elements);
    }

    /** Bytes an output takes in the binary section. */
    public static long size(Tensor t) {
        if (t.datatype() != DataType.BYTES) {
            return t.byteSize();
        }
        return 4L * t.elementCount() + t.byteSize();
    }

    /** Writes the named outputs' bytes, in the order of {@code outputs}. */
    public static void writeOutputs(Map<String, Tensor> outputs, java.util.Set<String> binary, OutputStream out)
            throws IOException {
        for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
            if (!binary.contains(e.getKey())) {
                continue;
            }
            Tensor t = e.getValue();
            if (t.datatype() == DataType.BYTES) {
                ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                for (byte[] element : t.elements()) {
                    length.clear();
                    length.putInt(element.length);
                    out.write(length.array());
                    out.write(element);
                }
            } else {
                ByteBuffer data = t.data();
                if (data.hasArray()) {
                    out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
                } else {
                    byte[] copy = new byte[data.remaining()];
                    data.get(copy);
                    out.write(copy);
                }
            }
        }
    }

    private static PlugboardException invalid(String detail, String input) {
        return new PlugboardException(ProblemType.INVALID_TENSOR, detail, Map.of("input", input));
    }
}
