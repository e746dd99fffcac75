package io.plugboard.api.codec;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Converts the numbers of a JSON array, nested or flat, straight from the body's bytes into a
 * sink, with the values a JSON parser gives for the same tokens: integers exact (a
 * {@link BigInteger} past a long), decimals rounded once to the nearest {@code float} or
 * {@code double}. The bytes must already be known to hold only numbers, brackets, commas and
 * whitespace ({@link NumericArrays} checks them).
 *
 * <p>A decimal's digits are gathered into a long (its first 18 significant digits) and scaled by
 * exact powers of ten in {@code double} arithmetic, which is within a few units in the last place
 * of the true value. That settles the nearest {@code float} unless the value lies next to the
 * midpoint of two floats; such a value, and any out of the scaled range, is parsed from its text
 * by the JDK instead.
 */
final class NumberText {

    /** Exact powers of ten as doubles (10^22 is the largest a double holds exactly). */
    private static final double[] POW10 = new double[23];
    /** Exact powers of ten as floats. */
    private static final float[] FLOAT_POW10 = new float[11];
    /** Below float precision, a double has 29 more bits of significand; this pattern of them is a float midpoint. */
    private static final long BELOW_FLOAT = (1L << 29) - 1;
    private static final long MIDPOINT = 1L << 28;
    /** How close to a midpoint (in units of the double's last place) is too close to decide here. */
    private static final long MARGIN = 64;
    /** Below this, eight more digits still fit in 18. */
    private static final long TEN_DIGITS = 10_000_000_000L;
    /** Once the digits gathered reach this, they are 18 significant digits: one more might not fit a long. */
    private static final long EIGHTEEN_DIGITS = 100_000_000_000_000_000L;
    private static final int MAX_SIGNIFICANT = 18;

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++, p *= 10) {
            POW10[i] = p;
        }
        float f = 1;
        for (int i = 0; i < FLOAT_POW10.length; i++, f *= 10) {
            FLOAT_POW10[i] = f;
        }
    }

    private final byte[] b;
    private final int to;
    private final ElementSink sink;
    /** Where reading is. */
    private int i;
    /** The significant digits gathered of the number being read (at most 18). */
    private long m;

    private NumberText(byte[] b, int from, int to, ElementSink sink) {
        this.b = b;
        this.i = from;
        this.to = to;
        this.sink = sink;
    }

    /** Sends each number between {@code from} and {@code to} to {@code sink}, in order. */
    static void read(byte[] b, int from, int to, ElementSink sink) {
        new NumberText(b, from, to, sink).read();
    }

    private void read() {
        while (i < to) {
            byte c = b[i];
            if (c == '-' || Digits.isDigit(c)) {
                element();
            } else {
                i++;
            }
        }
    }

    /** Converts the number at the position, and moves past it. */
    private void element() {
        int s = i;
        boolean negative = b[s] == '-';
        if (negative) {
            i++;
        }
        m = 0;
        int integerStart = i;
        gather();
        int exponent = 0;
        boolean truncated = false;
        if (i < to && Digits.isDigit(b[i])) { // integer digits past the first 18 significant ones
            int dropped = i;
            i = Digits.end(b, i, to);
            exponent = i - dropped;
            truncated = nonZero(dropped, i);
        }
        int integerDigits = i - integerStart;
        boolean decimal = false;
        if (i < to && b[i] == '.') {
            decimal = true;
            int fraction = ++i;
            gather();
            exponent -= i - fraction;
            if (i < to && Digits.isDigit(b[i])) { // fraction digits past them
                int rest = i;
                i = Digits.end(b, i, to);
                truncated |= nonZero(rest, i);
            }
        }
        if (i < to && (b[i] == 'e' || b[i] == 'E')) {
            decimal = true;
            exponent += exponent();
        }
        if (!decimal) {
            integer(b, s, i, negative, m, integerDigits, sink);
        } else if (sink.wantsSingle()) {
            sink.single(toFloat(negative, m, exponent, truncated, b, s, i));
        } else {
            sink.decimal(toDouble(negative, m, exponent, truncated, b, s, i),
                    sink.wantsDecimalText() ? text(b, s, i) : null);
        }
    }

    /**
     * Gathers digits into {@link #m} while it holds fewer than 18 significant ones, eight at a
     * time where it can. Leading zeros leave it at 0: only significant digits count.
     */
    private void gather() {
        while (m < TEN_DIGITS && i + 8 <= to) {
            long word = Digits.word(b, i);
            if (Digits.nonDigits(word) != 0) {
                break;
            }
            m = m * 100_000_000L + Digits.value(word);
            i += 8;
        }
        for (int d; i < to && m < EIGHTEEN_DIGITS && (d = b[i] - '0') >= 0 && d <= 9; i++) {
            m = m * 10 + d;
        }
    }

    /** The exponent after an {@code e}, at the position: far past any float's range, only its side matters. */
    private int exponent() {
        i++;
        boolean negative = b[i] == '-';
        if (negative || b[i] == '+') {
            i++;
        }
        int e = 0;
        for (; i < to && Digits.isDigit(b[i]); i++) {
            e = Math.min(e * 10 + (b[i] - '0'), 1_000_000);
        }
        return negative ? -e : e;
    }

    private boolean nonZero(int from, int end) {
        for (int k = from; k < end; k++) {
            if (b[k] != '0') {
                return true;
            }
        }
        return false;
    }

    private static void integer(byte[] b, int s, int end, boolean negative, long m, int digits, ElementSink sink) {
        if (digits <= MAX_SIGNIFICANT) {
            sink.integer(negative ? -m : m, null);
            return;
        }
        BigInteger big = new BigInteger(text(b, s, end));
        if (big.bitLength() < 64) {
            sink.integer(big.longValue(), null);
        } else {
            sink.integer(0, big);
        }
    }

    /** The nearest float to the decimal {@code ±m × 10^exponent} (plus the truncated digits, if any). */
    static float toFloat(boolean negative, long m, int exponent, boolean truncated, byte[] b, int s, int end) {
        if (m == 0) {
            return negative ? -0f : 0f;
        }
        if (!truncated && m < (1L << 24) && exponent >= -10 && exponent <= 10) { // exact operands, one rounding
            float f = exponent >= 0 ? (float) m * FLOAT_POW10[exponent] : (float) m / FLOAT_POW10[-exponent];
            return negative ? -f : f;
        }
        if (exponent >= -44 && exponent <= 44) {
            double d = scaled(m, exponent);
            long below = Double.doubleToRawLongBits(d) & BELOW_FLOAT;
            if (Math.abs(below - MIDPOINT) > MARGIN && d >= Float.MIN_NORMAL) {
                float f = (float) d;
                return negative ? -f : f;
            }
        }
        return Float.parseFloat(text(b, s, end));
    }

    /** The nearest double to the decimal: exact arithmetic where it decides, else the JDK's parse of the text. */
    static double toDouble(boolean negative, long m, int exponent, boolean truncated, byte[] b, int s, int end) {
        if (m == 0) {
            return negative ? -0.0 : 0.0;
        }
        if (!truncated && m <= (1L << 53) && exponent >= -22 && exponent <= 22) { // exact operands, one rounding
            double d = exponent >= 0 ? m * POW10[exponent] : m / POW10[-exponent];
            return negative ? -d : d;
        }
        return Double.parseDouble(text(b, s, end));
    }

    /** {@code m × 10^exponent} for |exponent| ≤ 44, within a few units in the last place. */
    private static double scaled(long m, int exponent) {
        double d = m;
        if (exponent >= 0) {
            return exponent > 22 ? d * POW10[22] * POW10[exponent - 22] : d * POW10[exponent];
        }
        return exponent < -22 ? d / POW10[22] / POW10[-exponent - 22] : d / POW10[-exponent];
    }

    private static String text(byte[] b, int s, int end) {
        return new String(b, s, end - s, StandardCharsets.ISO_8859_1);
    }
}
