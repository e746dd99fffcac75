package io.plugboard.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by codecs and backends. A dimension of -1 in a signature is dynamic. */
public final class Shape {

    /** The most dimensions a tensor sent to the server may have. */
    public static final int MAX_DIMENSIONS = 32;

    private Shape() {
    }

    /**
     * Number of elements of a concrete shape, or -1 when a dimension is negative or the product
     * exceeds {@code limit}. Callers reject such shapes before allocating anything.
     */
    public static long elementCount(long[] shape, long limit) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                return -1;
            }
            if (dim != 0 && count > limit / dim) {
                return -1;
            }
            count *= dim;
        }
        return count <= limit ? count : -1;
    }

    /** Whether a concrete shape fits a signature shape where -1 matches any size. */
    public static boolean fits(long[] signature, long[] concrete) {
        if (signature == null) {
            return true;
        }
        if (signature.length != concrete.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if (signature[i] >= 0 && signature[i] != concrete[i]) {
                return false;
            }
        }
        return true;
    }

    public static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
