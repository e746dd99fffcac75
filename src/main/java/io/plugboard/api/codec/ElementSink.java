package io.plugboard.api.codec;

import java.math.BigInteger;

/** Receives the scalar elements of a JSON tensor "data" array, flattened row-major. */
interface ElementSink {

    void bool(boolean v);

    /** {@code big} is non-null when the integer does not fit a long. */
    void integer(long v, BigInteger big);

    /** {@code text} is the number as sent, or null when {@link #wantsDecimalText()} is false. */
    void decimal(double v, String text);

    /** Whether {@link #decimal} needs the number's text (an integer tensor does; a float one does not). */
    default boolean wantsDecimalText() {
        return true;
    }

    void string(String s);

    /**
     * Whether decimals should come through {@link #single} instead: a tensor of 32 bits or fewer
     * per float takes the number parsed straight to {@code float}, so FP32 is rounded once, never
     * twice by way of {@code double} (FP16 and BF16 are then rounded from that float).
     */
    default boolean wantsSingle() {
        return false;
    }

    /** A decimal parsed to the nearest {@code float}; called only when {@link #wantsSingle()}. */
    default void single(float v) {
        throw new UnsupportedOperationException();
    }
}
