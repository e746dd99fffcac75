package io.plugboard.api;

import java.io.InputStream;
import java.util.function.Supplier;

/** Fails with the given exception once more than {@code limit} bytes have been read. */
final class LimitedInputStream extends CountedInputStream {

    private final long limit;
    private final Supplier<? extends RuntimeException> overflow;
    private long read;

    LimitedInputStream(InputStream in, long limit, Supplier<? extends RuntimeException> overflow) {
        super(in);
        this.limit = limit;
        this.overflow = overflow;
    }

    @Override
    void counted(long n) {
        read += n;
        if (read > limit) {
            throw overflow.get();
        }
    }
}
