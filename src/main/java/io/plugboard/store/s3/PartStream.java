package io.plugboard.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One byte range of a file as a stream: a part of a multipart upload, read from disk as sent. */
final class PartStream extends InputStream {

    private final FileChannel channel;
    private long position;
    private final long end;

    PartStream(Path file, long offset, long length) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.position = offset;
        this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (position >= end) {
            return -1;
        }
        int wanted = (int) Math.min(len, end - position);
        int n = channel.read(ByteBuffer.wrap(b, off, wanted), position);
        if (n < 0) {
            throw new IOException("The file ended before its part did");
        }
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
