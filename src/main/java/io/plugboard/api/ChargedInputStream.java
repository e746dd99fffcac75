package io.plugboard.api;

import java.io.InputStream;

/**
 * A request body that charges its request's {@link RequestMemory.Lease} for every byte read,
 * times what a byte can decode to (a JSON element of 2 bytes, {@code 1,}, can become 8).
 */
public final class ChargedInputStream extends CountedInputStream {

    private final RequestMemory.Lease lease;
    private final int bytesPerByte;

    public ChargedInputStream(InputStream in, RequestMemory.Lease lease, int bytesPerByte) {
        super(in);
        this.lease = lease;
        this.bytesPerByte = bytesPerByte;
    }

    @Override
    void counted(long n) {
        lease.charge(n * bytesPerByte);
    }
}
