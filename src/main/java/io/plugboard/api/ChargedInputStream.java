package io.plugboard.api;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that charges its request's {@link RequestMemory.Lease} for every byte read,
 * times what a byte can decode to (a JSON element of 2 bytes, {@code 1,}, can become 8).
 */
final class ChargedInputStream extends FilterInputStream {

    private final RequestMemory.Lease lease;
    private final int bytesPerByte;

    ChargedInputStream(InputStream in, RequestMemory.Lease lease, int bytesPerByte) {
        super(in);
        this.lease = lease;
        this.bytesPerByte = bytesPerByte;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            lease.charge(bytesPerByte);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            lease.charge((long) n * bytesPerByte);
        }
        return n;
    }
}
