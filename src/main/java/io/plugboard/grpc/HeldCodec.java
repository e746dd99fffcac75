package io.plugboard.grpc;

import io.grpc.Codec;
import io.grpc.Status;
import io.plugboard.api.InflationLimit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A message encoding whose decompression is held to the ratio REST bodies are
 * ({@link InflationLimit}): past its first MiB a message may inflate to at most 100 times what
 * was read of it. Past that, {@code RESOURCE_EXHAUSTED}, as for a message over the size limit.
 */
final class HeldCodec implements Codec {

    private final Codec codec;

    HeldCodec(Codec codec) {
        this.codec = codec;
    }

    @Override
    public String getMessageEncoding() {
        return codec.getMessageEncoding();
    }

    @Override
    public OutputStream compress(OutputStream os) throws IOException {
        return codec.compress(os);
    }

    @Override
    public InputStream decompress(InputStream is) throws IOException {
        return InflationLimit.held(is, codec::decompress, () -> Status.RESOURCE_EXHAUSTED.withDescription(
                "The " + codec.getMessageEncoding() + " message inflates to more than " + InflationLimit.MAX_RATIO
                        + " times its size; send it uncompressed, or less compressed.").asRuntimeException());
    }
}
