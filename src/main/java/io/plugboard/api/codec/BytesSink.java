package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects BYTES elements: JSON strings, carried as their UTF-8 bytes. */
final class BytesSink implements ElementSink {

    private final String tensor;
    private final int count;
    private final List<byte[]> elements;

    BytesSink(String tensor, int count) {
        this.tensor = tensor == null ? "(unnamed)" : tensor; // "name" may come after "data"
        this.count = count;
        this.elements = new ArrayList<>(Math.min(count, 1 << 16));
    }

    List<byte[]> elements() {
        return elements;
    }

    @Override
    public void string(String s) {
        if (elements.size() >= count) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor
                    + "' has more data elements than its shape holds.", Map.of("input", tensor));
        }
        elements.add(utf8(s));
    }

    /**
     * The string's UTF-8 bytes. A lone surrogate (a JSON escape of half a surrogate pair, with no
     * partner) is no character and has no UTF-8 form: refused rather than sent on as '?'.
     */
    private byte[] utf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor + "' element "
                            + elements.size() + " holds a lone UTF-16 surrogate (\\u" + Integer.toHexString(c)
                            + "), which is no character: BYTES strings are sent as text.", Map.of("input", tensor));
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void bool(boolean v) {
        throw notString();
    }

    @Override
    public void integer(long v, BigInteger big) {
        throw notString();
    }

    @Override
    public void decimal(double v, String text) {
        throw notString();
    }

    private PlugboardException notString() {
        return new PlugboardException(ProblemType.INVALID_TENSOR, "Tensor '" + tensor
                + "' is BYTES; its elements must be JSON strings.", Map.of("input", tensor));
    }
}
