package io.plugboard.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A dense tensor in the server's own representation, independent of any engine: fixed-size
 * elements live row-major and little-endian in one {@link ByteBuffer}; {@link DataType#BYTES}
 * elements are a list of byte arrays.
 */
public final class Tensor {

    private final DataType datatype;
    private final long[] shape;
    private final ByteBuffer data;
    private final List<byte[]> elements;

    private Tensor(DataType datatype, long[] shape, ByteBuffer data, List<byte[]> elements) {
        this.datatype = datatype;
        this.shape = shape.clone();
        this.data = data;
        this.elements = elements;
    }

    /** A fixed-size tensor over {@code data}, whose remaining bytes must match the shape exactly. */
    public static Tensor of(DataType datatype, long[] shape, ByteBuffer data) {
        if (!datatype.isFixedSize()) {
            throw new IllegalArgumentException("BYTES tensors hold elements, not a buffer");
        }
        long count = Shape.elementCount(shape, Integer.MAX_VALUE);
        if (count < 0 || count * datatype.byteSize() != data.remaining()) {
            throw new IllegalArgumentException("buffer of " + data.remaining() + " bytes does not hold "
                    + datatype + Arrays.toString(shape));
        }
        return new Tensor(datatype, shape, data.slice().order(ByteOrder.LITTLE_ENDIAN), null);
    }

    /**
     * A fixed-size tensor copied from an engine's buffer in the byte order {@code source} declares
     * (engines hand out native order); the copy is little-endian and on the heap.
     */
    public static Tensor copyOf(DataType datatype, long[] shape, ByteBuffer source) {
        ByteBuffer le = ByteBuffer.allocate(source.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy(source, le, datatype.byteSize());
        return of(datatype, shape, le.flip());
    }

    /** Writes the element bytes into {@code target} in the byte order {@code target} declares. */
    public void copyTo(ByteBuffer target) {
        copy(data(), target, datatype.byteSize());
    }

    private static void copy(ByteBuffer from, ByteBuffer to, int width) {
        if (from.order() == to.order() || width == 1) {
            to.put(from);
            return;
        }
        byte[] element = new byte[width];
        while (from.remaining() >= width) {
            from.get(element);
            for (int i = width - 1; i >= 0; i--) {
                to.put(element[i]);
            }
        }
    }

    /** A BYTES tensor; one element per entry, row-major. */
    public static Tensor ofBytes(long[] shape, List<byte[]> elements) {
        long count = Shape.elementCount(shape, Integer.MAX_VALUE);
        if (count != elements.size()) {
            throw new IllegalArgumentException(elements.size() + " elements do not fill BYTES"
                    + Arrays.toString(shape));
        }
        return new Tensor(DataType.BYTES, shape, null, List.copyOf(elements));
    }

    public DataType datatype() {
        return datatype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public int elementCount() {
        return (int) Shape.elementCount(shape, Integer.MAX_VALUE);
    }

    /** Little-endian, row-major element bytes; a fresh view positioned at 0. */
    public ByteBuffer data() {
        if (data == null) {
            throw new IllegalStateException("BYTES tensors have no fixed-size buffer");
        }
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The elements of a BYTES tensor. */
    public List<byte[]> elements() {
        if (elements == null) {
            throw new IllegalStateException(datatype + " tensors have no byte-string elements");
        }
        return elements;
    }

    /** Size of the payload in bytes (BYTES: sum of element lengths). */
    public long byteSize() {
        if (data != null) {
            return data.remaining();
        }
        long total = 0;
        for (byte[] e : elements) {
            total += e.length;
        }
        return total;
    }

    /** The bytes of all of {@code tensors} together. */
    public static long byteSize(java.util.Collection<Tensor> tensors) {
        long total = 0;
        for (Tensor t : tensors) {
            total += t.byteSize();
        }
        return total;
    }

    @Override
    public String toString() {
        return "Tensor[" + datatype + Arrays.toString(shape) + "]";
    }
}
