package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Writes JSON element values into a tensor buffer, range-checked for the datatype. The buffer
 * grows with the elements that arrive, up to what the shape declares: memory follows the bytes a
 * client actually sent, never what its shape claims.
 * Non-finite floats travel as the strings "NaN", "Infinity" and "-Infinity" (JSON has no literals
 * for them); integers must be integral and in range.
 */
final class ElementWriter implements ElementSink {

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final String tensor;
    private final DataType type;
    private static final int FIRST_BYTES = 1 << 16;

    private final int declaredBytes;
    private ByteBuffer out;

    ElementWriter(String tensor, DataType type, int count) {
        this.tensor = tensor == null ? "(unnamed)" : tensor; // "name" may come after "data"
        this.type = type;
        this.declaredBytes = count * type.byteSize();
        this.out = ByteBuffer.allocate(Math.min(declaredBytes, FIRST_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
    }

    boolean full() {
        return out.position() == declaredBytes;
    }

    ByteBuffer finish() {
        return out.flip();
    }

    @Override
    public void bool(boolean v) {
        if (type != DataType.BOOL) {
            throw mismatch("true/false");
        }
        ensureRoom();
        out.put((byte) (v ? 1 : 0));
    }

    /** An integer token; {@code big} is set when it does not fit a long. */
    @Override
    public void integer(long v, BigInteger big) {
        ensureRoom();
        if (type.isFloatingPoint()) {
            number(big != null ? big.doubleValue() : (double) v);
            return;
        }
        if (big != null) {
            if (type != DataType.UINT64 || big.signum() < 0 || big.compareTo(UINT64_MAX) > 0) {
                throw range(abbreviate(big.toString()));
            }
            out.putLong(big.longValue());
            return;
        }
        switch (type) {
            case BOOL -> {
                if (v != 0 && v != 1) {
                    throw range(Long.toString(v));
                }
                out.put((byte) v);
            }
            case INT8 -> out.put((byte) checked(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT8 -> out.put((byte) checked(v, 0, 255));
            case INT16 -> out.putShort((short) checked(v, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT16 -> out.putShort((short) checked(v, 0, 65535));
            case INT32 -> out.putInt((int) checked(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32 -> out.putInt((int) checked(v, 0, 0xffffffffL));
            case INT64 -> out.putLong(v);
            case UINT64 -> out.putLong(checked(v, 0, Long.MAX_VALUE));
            default -> throw mismatch("an integer");
        }
    }

    /** A number with a fraction or exponent. */
    @Override
    public boolean wantsDecimalText() {
        return !type.isFloatingPoint();
    }

    @Override
    public void decimal(double v, String text) {
        ensureRoom();
        if (type.isFloatingPoint()) {
            number(v);
            return;
        }
        // 3.0 is still an integer value; an exponent form is refused before any conversion, since
        // turning 1e-99999999 into an exact integer costs seconds of CPU and a huge string
        if (text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor + "' is " + type
                    + " and takes plain integers, not the exponent form " + abbreviate(text) + ".",
                    java.util.Map.of("input", tensor));
        }
        try {
            integerFromBig(new BigDecimal(text).toBigIntegerExact());
        } catch (ArithmeticException e) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor + "' is " + type
                    + " but holds the non-integer " + abbreviate(text) + ".", java.util.Map.of("input", tensor));
        }
    }

    private void integerFromBig(BigInteger whole) {
        if (whole.bitLength() < 64) {
            integer(whole.longValue(), null);
        } else {
            integer(0, whole);
        }
    }

    @Override
    public boolean wantsSingle() {
        return type == DataType.FP32 || type == DataType.FP16 || type == DataType.BF16;
    }

    @Override
    public void single(float v) {
        ensureRoom();
        number(v);
    }

    /**
     * A number for a floating-point tensor. One beyond the type's range is refused rather than
     * turned into an infinity, which is sent as the string "Infinity" when meant.
     */
    private void number(double d) {
        switch (type) {
            case FP64 -> out.putDouble(finite(d));
            case FP32 -> out.putFloat((float) finite((float) d));
            case FP16 -> {
                short h = Float.floatToFloat16((float) d);
                finite(Float.float16ToFloat(h));
                out.putShort(h);
            }
            case BF16 -> {
                short b = toBfloat16((float) d);
                finite(Float.intBitsToFloat(b << 16));
                out.putShort(b);
            }
            default -> throw mismatch("a number");
        }
    }

    private double finite(double converted) {
        if (Double.isInfinite(converted)) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor + "' holds a number beyond "
                    + type + "'s range; an infinity is sent as the string \"Infinity\" or \"-Infinity\".",
                    java.util.Map.of("input", tensor));
        }
        return converted;
    }

    /** A string element: a non-finite float spelled out. */
    @Override
    public void string(String s) {
        ensureRoom();
        if (!type.isFloatingPoint()) {
            throw mismatch("the string \"" + abbreviate(s) + "\"");
        }
        String v = s.trim().toLowerCase(Locale.ROOT);
        double d = switch (v) {
            case "nan", "+nan", "-nan" -> Double.NaN;
            case "infinity", "+infinity", "inf", "+inf" -> Double.POSITIVE_INFINITY;
            case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
            default -> throw new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor
                    + "' holds the string \"" + abbreviate(s) + "\"; floating-point elements are numbers or "
                    + "\"NaN\", \"Infinity\", \"-Infinity\".", java.util.Map.of("input", tensor));
        };
        floating(d);
    }

    private void floating(double d) {
        switch (type) {
            case FP64 -> out.putDouble(d);
            case FP32 -> out.putFloat((float) d);
            case FP16 -> out.putShort(Float.floatToFloat16((float) d));
            case BF16 -> out.putShort(toBfloat16((float) d));
            default -> throw mismatch("a number");
        }
    }

    static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) 0x7fc0;
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    private void ensureRoom() {
        if (out.hasRemaining()) {
            return;
        }
        if (out.position() >= declaredBytes) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor
                    + "' has more data elements than its shape holds.", java.util.Map.of("input", tensor));
        }
        ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(declaredBytes, 2L * out.capacity()))
                .order(ByteOrder.LITTLE_ENDIAN);
        out = bigger.put(out.flip());
    }

    private long checked(long v, long min, long max) {
        if (v < min || v > max) {
            throw range(Long.toString(v));
        }
        return v;
    }

    private PlugboardException range(String v) {
        return new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor + "' is " + type
                + " but holds " + v + ", which is out of range.", java.util.Map.of("input", tensor));
    }

    private PlugboardException mismatch(String what) {
        return new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor + "' is " + type
                + " but holds " + what + ".", java.util.Map.of("input", tensor));
    }

    private static String abbreviate(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "…" : s;
    }
}
