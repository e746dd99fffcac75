package io.plugboard.format;

import java.nio.charset.StandardCharsets;

/** Byte tests on the head of a file: a signature at an offset, an embedded string, plain text. */
final class HeadBytes {

    private HeadBytes() {
    }

    /** True when {@code signature}, read as ISO-8859-1, stands in {@code head} at {@code offset}. */
    static boolean startsWith(byte[] head, int offset, String signature) {
        byte[] sig = signature.getBytes(StandardCharsets.ISO_8859_1);
        if (head.length < offset + sig.length) {
            return false;
        }
        for (int i = 0; i < sig.length; i++) {
            if (head[offset + i] != sig[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean contains(byte[] head, String s) {
        return new String(head, StandardCharsets.ISO_8859_1).contains(s);
    }

    /** True when the head holds no NUL and at least 95% printable characters. */
    static boolean isText(byte[] head) {
        if (head.length == 0) {
            return false;
        }
        int printable = 0;
        for (byte b : head) {
            int c = b & 0xff;
            if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0x7f)) {
                printable++;
            } else if (c == 0) {
                return false;
            }
        }
        return printable >= head.length * 0.95;
    }
}
