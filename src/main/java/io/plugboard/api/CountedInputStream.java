package io.plugboard.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stream that reports the bytes each read returns to {@link #counted}, whichever read method
 * returned them; the body limits, charges and ratios are each one such count.
 */
abstract class CountedInputStream extends FilterInputStream {

    CountedInputStream(InputStream in) {
        super(in);
    }

    /** Called with the number of bytes a read returned (at least 1); may throw to stop the reading. */
    abstract void counted(long n);

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            counted(n);
        }
        return n;
    }
}
