package io.plugboard.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;

/** Fails with the given exception once more than {@code limit} bytes have been read. */
final class LimitedInputStream extends FilterInputStream {

    private final long limit;
    private final Supplier<? extends RuntimeException> overflow;
    private long read;

    LimitedInputStream(InputStream in, long limit, Supplier<? extends RuntimeException> overflow) {
        super(in);
        this.limit = limit;
        this.overflow = overflow;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(long n) {
        read += n;
        if (read > limit) {
            throw overflow.get();
        }
    }
}
