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
}
