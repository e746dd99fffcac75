package io.plugboard.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Recognises SafeTensors weights: a little-endian header length, then a JSON header of tensor entries. */
final class SafetensorsSniffer {

    private static final long MAX_HEADER_LENGTH = 100L << 20;

    private SafetensorsSniffer() {
    }

    static Optional<Sniff> sniff(CandidateFile file, byte[] head) {
        if (head.length < 10) {
            return Optional.empty();
        }
        long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > file.size() - 8 || headerLength > MAX_HEADER_LENGTH) {
            return Optional.empty();
        }
        if (head[8] != '{') {
            return Optional.empty();
        }
        String start = new String(head, 8, Math.min(head.length - 8, 256), StandardCharsets.UTF_8);
        if (start.contains("\"dtype\"") || start.contains("\"__metadata__\"")
                || start.contains("\"data_offsets\"")) {
            return Sniff.found(file, ModelFormat.SAFETENSORS, "SafeTensors JSON header");
        }
        return Optional.empty();
    }
}
