package io.plugboard.convert.keras;

/** Shape arithmetic over Keras shapes whose unknown dimensions are -1. */
final class Shapes {

    private Shapes() {
    }

    static long product(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (shape[i] < 0) {
                return -1;
            }
            p = Math.multiplyExact(p, shape[i]);
        }
        return p;
    }

    static long[] withLast(long[] shape, long last) {
        long[] s = shape.clone();
        s[s.length - 1] = last;
        return s;
    }

    static long[] append(long[] shape, long... more) {
        long[] s = new long[shape.length + more.length];
        System.arraycopy(shape, 0, s, 0, shape.length);
        System.arraycopy(more, 0, s, shape.length, more.length);
        return s;
    }

    static long[] permute(long[] shape, int[] perm) {
        long[] s = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            s[i] = shape[perm[i]];
        }
        return s;
    }

    /** The axis in [0, rank). */
    static int axis(int axis, int rank, KerasLayerConfig cfg) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw cfg.bad("has axis " + axis + " outside an input of rank " + rank);
        }
        return a;
    }

    /** Keras's convolution output length for one spatial axis. */
    static long convOut(long in, int kernel, int stride, int dilation, String padding, KerasLayerConfig cfg) {
        if (in < 0) {
            return -1;
        }
        long effective = (long) (kernel - 1) * dilation + 1;
        long out = switch (padding) {
            case "valid" -> (in - effective) / stride + 1;
            case "same", "causal" -> (in + stride - 1) / stride;
            default -> throw cfg.bad("has unknown padding " + padding);
        };
        if (out <= 0 || in < (padding.equals("valid") ? effective : 1)) {
            throw cfg.bad("is applied to an input too small for its kernel");
        }
        return out;
    }

    static int[] channelsFirstPerm(int rank) {
        int[] p = new int[rank];
        p[0] = 0;
        p[1] = rank - 1;
        for (int i = 2; i < rank; i++) {
            p[i] = i - 1;
        }
        return p;
    }

    static int[] channelsLastPerm(int rank) {
        int[] p = new int[rank];
        p[0] = 0;
        for (int i = 1; i < rank - 1; i++) {
            p[i] = i + 1;
        }
        p[rank - 1] = 1;
        return p;
    }

    static void checkPositive(int[] values, String what, KerasLayerConfig cfg) {
        for (int v : values) {
            if (v <= 0 || v > 1_000_000) {
                throw cfg.bad("has an invalid " + what);
            }
        }
    }
}
