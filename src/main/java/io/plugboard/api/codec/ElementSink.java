package io.plugboard.api.codec;

import java.math.BigInteger;

/** Receives the scalar elements of a JSON tensor "data" array, flattened row-major. */
interface ElementSink {

    void bool(boolean v);

    /** {@code big} is non-null when the integer does not fit a long. */
    void integer(long v, BigInteger big);

    void decimal(double v, String text);

    void string(String s);
}
