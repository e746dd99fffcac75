package io.plugboard.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an ONNX {@code TensorProto} (the backend test suite's input_N.pb / output_N.pb) into JSON
 * elements of the Open Inference Protocol, with no protobuf library: just the wire format.
 */
final class TensorProtoReader {

    /** A decoded tensor: name, protocol datatype, shape and JSON-ready elements. */
    record Decoded(String name, String datatype, long[] shape, List<Object> elements) {
    }

    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message);
        }
    }

    private TensorProtoReader() {
    }

    static Decoded read(Path file) throws IOException, Unsupported {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = "";
        byte[] raw = null;
        List<Long> varints = new ArrayList<>();
        List<Long> fixed64 = new ArrayList<>();
        List<Integer> fixed32 = new ArrayList<>();
        List<byte[]> strings = new ArrayList<>();
        boolean sawTensorField = false;
        while (in.hasRemaining()) {
            long key = varint(in);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            switch (field) {
                case 1 -> { sawTensorField = true; readInts(in, wire, dims); }
                case 2 -> { sawTensorField = true; dataType = (int) varint(in); }
                case 4 -> readFixed32(in, wire, fixed32);
                case 5, 7, 11 -> readInts(in, wire, varints);
                case 6 -> strings.add(bytes(in));
                case 8 -> name = new String(bytes(in), StandardCharsets.UTF_8);
                case 9 -> raw = bytes(in);
                case 10 -> readFixed64(in, wire, fixed64);
                case 13, 14 -> throw new Unsupported("external data");
                default -> skip(in, wire);
            }
        }
        if (!sawTensorField || dataType == 0) {
            throw new Unsupported("not a plain tensor (sequence, map or optional value)");
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        List<Object> out = new ArrayList<>();
        String datatype;
        ByteBuffer r = raw == null ? null : ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        switch (dataType) {
            case 1 -> { datatype = "FP32"; for (long i = 0; i < count; i++) out.add(num(r != null ? r.getFloat() : Float.intBitsToFloat(fixed32.get((int) i)))); }
            case 11 -> { datatype = "FP64"; for (long i = 0; i < count; i++) out.add(num(r != null ? r.getDouble() : Double.longBitsToDouble(fixed64.get((int) i)))); }
            case 10 -> { datatype = "FP16"; for (long i = 0; i < count; i++) out.add(num(Float.float16ToFloat(r != null ? r.getShort() : varints.get((int) i).shortValue()))); }
            case 16 -> { datatype = "BF16"; for (long i = 0; i < count; i++) out.add(num(Float.intBitsToFloat(((r != null ? r.getShort() : varints.get((int) i).shortValue()) & 0xffff) << 16))); }
            case 2 -> { datatype = "UINT8"; for (long i = 0; i < count; i++) out.add(r != null ? (long) (r.get() & 0xff) : varints.get((int) i)); }
            case 3 -> { datatype = "INT8"; for (long i = 0; i < count; i++) out.add(r != null ? (long) r.get() : (long) varints.get((int) i).byteValue()); }
            case 4 -> { datatype = "UINT16"; for (long i = 0; i < count; i++) out.add(r != null ? (long) (r.getShort() & 0xffff) : varints.get((int) i)); }
            case 5 -> { datatype = "INT16"; for (long i = 0; i < count; i++) out.add(r != null ? (long) r.getShort() : (long) varints.get((int) i).shortValue()); }
            case 6 -> { datatype = "INT32"; for (long i = 0; i < count; i++) out.add(r != null ? (long) r.getInt() : (long) varints.get((int) i).intValue()); }
            case 7 -> { datatype = "INT64"; for (long i = 0; i < count; i++) out.add(r != null ? r.getLong() : varints.get((int) i)); }
            case 9 -> { datatype = "BOOL"; for (long i = 0; i < count; i++) out.add(r != null ? r.get() != 0 : varints.get((int) i) != 0); }
            case 12 -> { datatype = "UINT32"; for (long i = 0; i < count; i++) out.add(r != null ? Integer.toUnsignedLong(r.getInt()) : varints.get((int) i)); }
            case 13 -> { datatype = "UINT64"; for (long i = 0; i < count; i++) out.add(Long.toUnsignedString(r != null ? r.getLong() : varints.get((int) i))); }
            case 8 -> { datatype = "BYTES"; for (byte[] s : strings) out.add(new String(s, StandardCharsets.UTF_8)); }
            default -> throw new Unsupported("element type " + dataType + " (complex or 8/4-bit float/int)");
        }
        return new Decoded(name, datatype, shape, out);
    }

    private static Object num(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return d;
    }

    private static void readInts(ByteBuffer in, int wire, List<Long> out) {
        if (wire == 2) {
            int len = (int) varint(in);
            int end = in.position() + len;
            while (in.position() < end) {
                out.add(varint(in));
            }
        } else {
            out.add(varint(in));
        }
    }

    private static void readFixed32(ByteBuffer in, int wire, List<Integer> out) {
        in.order(ByteOrder.LITTLE_ENDIAN);
        if (wire == 2) {
            int len = (int) varint(in);
            for (int i = 0; i < len / 4; i++) {
                out.add(in.getInt());
            }
        } else {
            out.add(in.getInt());
        }
    }

    private static void readFixed64(ByteBuffer in, int wire, List<Long> out) {
        in.order(ByteOrder.LITTLE_ENDIAN);
        if (wire == 2) {
            int len = (int) varint(in);
            for (int i = 0; i < len / 8; i++) {
                out.add(in.getLong());
            }
        } else {
            out.add(in.getLong());
        }
    }

    private static byte[] bytes(ByteBuffer in) {
        int len = (int) varint(in);
        byte[] b = new byte[len];
        in.get(b);
        return b;
    }

    private static void skip(ByteBuffer in, int wire) {
        switch (wire) {
            case 0 -> varint(in);
            case 1 -> in.position(in.position() + 8);
            case 2 -> in.position(in.position() + (int) varint(in));
            case 5 -> in.position(in.position() + 4);
            default -> throw new IllegalStateException("wire type " + wire);
        }
    }

    private static long varint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xff;
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalStateException("varint too long");
    }
}
