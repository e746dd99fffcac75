package io.plugboard.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * How far a compressed request may inflate, whatever the protocol: past its first
 * {@link #FREE_BYTES}, to at most {@link #MAX_RATIO} times what was read of it (archives are held
 * to the same ratio), so that a small message cannot cost the CPU and memory of a huge one.
 */
public final class InflationLimit {

    /** How many times its compressed size a request may inflate to, past {@link #FREE_BYTES}. */
    public static final int MAX_RATIO = 100;
    /** What any compressed request may inflate to, whatever its ratio. */
    public static final long FREE_BYTES = 1 << 20;

    private InflationLimit() {
    }

    /**
     * {@code inflate} applied to {@code compressed}, failing with {@code over} once the inflated
     * bytes pass the limit.
     */
    public static <E extends Exception> InputStream held(InputStream compressed,
            Inflater<E> inflate, Supplier<? extends RuntimeException> over) throws E {
        Counted sent = new Counted(compressed);
        return new Held(inflate.apply(sent), sent, over);
    }

    /** Builds the inflating stream over the counted compressed one. */
    @FunctionalInterface
    public interface Inflater<E extends Exception> {
        InputStream apply(InputStream compressed) throws E;
    }

    /** The compressed bytes read so far. */
    private static final class Counted extends FilterInputStream {

        private long count;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** The inflated bytes, held to the ratio. */
    private static final class Held extends FilterInputStream {

        private final Counted sent;
        private final Supplier<? extends RuntimeException> over;
        private long inflated;

        Held(InputStream in, Counted sent, Supplier<? extends RuntimeException> over) {
            super(in);
            this.sent = sent;
            this.over = over;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                inflated += n;
                if (inflated > FREE_BYTES && inflated > MAX_RATIO * Math.max(1, sent.count)) {
                    throw over.get();
                }
            }
            return n;
        }
    }
}
