package io.plugboard.convert.keras;

import java.util.Arrays;

/** A weight array read from a Keras file: row-major float data with its shape. */
record KerasArray(long[] shape, float[] data) {

    int rank() {
        return shape.length;
    }

    long dim(int i) {
        return shape[i];
    }

    boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    /** This array with its axes permuted: result axis i is this array's axis {@code perm[i]}. */
    KerasArray transpose(int... perm) {
        int r = shape.length;
        long[] outShape = new long[r];
        for (int i = 0; i < r; i++) {
            outShape[i] = shape[perm[i]];
        }
        long[] inStrides = strides(shape);
        float[] out = new float[data.length];
        int[] idx = new int[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) {
                src += idx[i] * inStrides[perm[i]];
            }
            out[o] = data[(int) src];
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < outShape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return new KerasArray(outShape, out);
    }

    KerasArray reshape(long... newShape) {
        return new KerasArray(newShape, data);
    }

    /** Reverses the given axes (used for Theano's flipped convolution kernels). */
    KerasArray flip(int... axes) {
        long[] st = strides(shape);
        float[] out = new float[data.length];
        int r = shape.length;
        int[] idx = new int[r];
        for (int o = 0; o < out.length; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) {
                long k = idx[i];
                for (int a : axes) {
                    if (a == i) {
                        k = shape[i] - 1 - idx[i];
                    }
                }
                src += k * st[i];
            }
            out[o] = data[(int) src];
            for (int i = r - 1; i >= 0; i--) {
                if (++idx[i] < shape[i]) {
                    break;
                }
                idx[i] = 0;
            }
        }
        return new KerasArray(shape, out);
    }

    /** The contiguous slice {@code [from, to)} along the last axis. */
    KerasArray sliceLast(long from, long to) {
        long last = shape[shape.length - 1];
        long outer = data.length / Math.max(1, last);
        int w = (int) (to - from);
        float[] out = new float[(int) (outer * w)];
        for (int i = 0; i < outer; i++) {
            System.arraycopy(data, (int) (i * last + from), out, i * w, w);
        }
        long[] s = shape.clone();
        s[s.length - 1] = w;
        return new KerasArray(s, out);
    }

    static KerasArray concatLast(KerasArray... parts) {
        long outer = parts[0].data.length / Math.max(1, parts[0].shape[parts[0].shape.length - 1]);
        long total = 0;
        for (KerasArray p : parts) {
            total += p.shape[p.shape.length - 1];
        }
        float[] out = new float[(int) (outer * total)];
        int pos = 0;
        for (int i = 0; i < outer; i++) {
            for (KerasArray p : parts) {
                int w = (int) p.shape[p.shape.length - 1];
                System.arraycopy(p.data, i * w, out, pos, w);
                pos += w;
            }
        }
        long[] s = parts[0].shape.clone();
        s[s.length - 1] = total;
        return new KerasArray(s, out);
    }

    private static long[] strides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    @Override
    public String toString() {
        return "array" + Arrays.toString(shape);
    }
}
