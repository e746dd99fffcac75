package io.plugboard.grpc;

import io.grpc.Codec;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * gRPC's {@code deflate} message encoding (zlib format, as gRPC's C core and its Python clients
 * write it), which grpc-java does not register itself: requests may come compressed with it (or
 * gzip). Decompressed messages are held to the server's maximum message size like any other;
 * answers are not compressed.
 */
final class DeflateCodec implements Codec {

    @Override
    public String getMessageEncoding() {
        return "deflate";
    }

    @Override
    public OutputStream compress(OutputStream os) {
        return new DeflaterOutputStream(os);
    }

    @Override
    public InputStream decompress(InputStream is) {
        return new InflaterInputStream(is);
    }
}
