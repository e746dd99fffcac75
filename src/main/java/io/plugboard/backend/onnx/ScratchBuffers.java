package io.plugboard.backend.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Direct buffers reused across the calls of one instance, one per input name, grown as needed:
 * staging inputs allocates no direct memory per request (which the JVM would free only at a GC).
 * Not thread-safe; an instance runs one call at a time.
 */
final class ScratchBuffers {

    private static final int KEEP_LIMIT = 64 << 20;

    private final Map<String, ByteBuffer> buffers = new HashMap<>();

    /** A cleared native-order direct buffer of at least {@code bytes} capacity, limited to {@code bytes}. */
    ByteBuffer take(String name, int bytes) {
        if (bytes > KEEP_LIMIT) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer buffer = buffers.get(name);
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(Math.max(bytes, 256)).order(ByteOrder.nativeOrder());
            buffers.put(name, buffer);
        }
        buffer.clear().limit(bytes);
        return buffer;
    }
}
