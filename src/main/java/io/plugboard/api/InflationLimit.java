package io.plugboard.api;

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
    private static final class Counted extends CountedInputStream {

        private long count;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        void counted(long n) {
            count += n;
        }
    }

    /** The inflated bytes, held to the ratio. */
    private static final class Held extends CountedInputStream {

        private final Counted sent;
        private final Supplier<? extends RuntimeException> over;
        private long inflated;

        Held(InputStream in, Counted sent, Supplier<? extends RuntimeException> over) {
            super(in);
            this.sent = sent;
            this.over = over;
        }

        @Override
        void counted(long n) {
            inflated += n;
            if (inflated > FREE_BYTES && inflated > MAX_RATIO * Math.max(1, sent.count)) {
                throw over.get();
            }
        }
    }
}
