package io.plugboard.support;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an ONNX model of any size, streamed: {@code y = x + ReduceSum(w)} with {@code x} and
 * {@code y} of shape [1] and {@code w} an FP32 initializer whose elements are all zero but the
 * first, {@code seed}. So the model answers {@code x + seed}, whatever its size.
 */
public final class LargeOnnx {

    private LargeOnnx() {
    }

    /** Writes a model of about {@code bytes} bytes to {@code file}. */
    public static Path write(Path file, long bytes, float seed) throws IOException {
        long elements = Math.max(1, bytes / 4);
        byte[] tensorHead = concat(
                varintField(1, elements),            // dims
                varintField(2, 1),                   // data_type FLOAT
                bytesField(8, utf8("w")),            // name
                tag(9, 2), varint(elements * 4));    // raw_data, streamed after this
        long tensorLength = tensorHead.length + elements * 4;
        byte[] graphHead = concat(
                bytesField(1, node("ReduceSum", new String[] {"w"}, "s")),
                bytesField(1, node("Add", new String[] {"x", "s"}, "y")),
                bytesField(2, utf8("large")),
                tag(5, 2), varint(tensorLength));
        byte[] graphTail = concat(bytesField(11, valueInfo("x")), bytesField(12, valueInfo("y")));
        long graphLength = graphHead.length + tensorLength + graphTail.length;
        byte[] modelHead = concat(
                varintField(1, 8),                                   // ir_version
                bytesField(8, varintField(2, 13)),                   // opset_import { version: 13 }
                tag(7, 2), varint(graphLength));
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(modelHead);
            out.write(graphHead);
            out.write(tensorHead);
            byte[] first = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(seed).array();
            out.write(first);
            byte[] zeros = new byte[1 << 20];
            long left = elements * 4 - 4;
            while (left > 0) {
                int n = (int) Math.min(zeros.length, left);
                out.write(zeros, 0, n);
                left -= n;
            }
            out.write(graphTail);
        }
        return file;
    }

    private static byte[] node(String op, String[] inputs, String output) {
        ByteArrayOutputStream node = new ByteArrayOutputStream();
        for (String input : inputs) {
            node.writeBytes(bytesField(1, utf8(input)));
        }
        node.writeBytes(bytesField(2, utf8(output)));
        node.writeBytes(bytesField(4, utf8(op)));
        return node.toByteArray();
    }

    private static byte[] valueInfo(String name) {
        byte[] shape = bytesField(1, varintField(1, 1));         // dim { dim_value: 1 }
        byte[] tensor = concat(varintField(1, 1), bytesField(2, shape)); // elem_type FLOAT, shape
        return concat(bytesField(1, utf8(name)), bytesField(2, bytesField(1, tensor)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] tag(int field, int wireType) {
        return varint(((long) field << 3) | wireType);
    }

    private static byte[] varintField(int field, long value) {
        return concat(tag(field, 0), varint(value));
    }

    private static byte[] bytesField(int field, byte[] value) {
        return concat(tag(field, 2), varint(value.length), value);
    }

    private static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
