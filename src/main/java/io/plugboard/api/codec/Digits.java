package io.plugboard.api.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Runs of ASCII digits in a byte array, read eight bytes at a time as one little-endian long:
 * the first byte is the word's lowest.
 */
final class Digits {

    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Digits() {
    }

    /** The eight bytes from {@code i}; the caller makes sure there are eight. */
    static long word(byte[] b, int i) {
        return (long) WORD.get(b, i);
    }

    /**
     * The high bit of each byte of the word that is not a digit. The lowest set bit is exact (it
     * marks the first non-digit); bytes after that one may be marked falsely, by the borrow or
     * carry it leaves, which never matters since only the first is used.
     */
    static long nonDigits(long word) {
        return ((word + 0x4646464646464646L) | (word - 0x3030303030303030L)) & HIGH_BITS;
    }

    /** The value of a word of eight digits, its first byte the most significant digit. */
    static long value(long word) {
        long v = (word & 0x0F0F0F0F0F0F0F0FL) * 2561 >>> 8;
        v = (v & 0x00FF00FF00FF00FFL) * 6553601 >>> 16;
        return (v & 0x0000FFFF0000FFFFL) * 42949672960001L >>> 32;
    }

    /** The index after the run of digits starting at {@code i} (which is {@code i} when there is none). */
    static int end(byte[] b, int i, int to) {
        for (; i + 8 <= to; i += 8) {
            long nonDigits = nonDigits(word(b, i));
            if (nonDigits != 0) {
                return i + (Long.numberOfTrailingZeros(nonDigits) >>> 3);
            }
        }
        while (i < to && isDigit(b[i])) {
            i++;
        }
        return i;
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}
