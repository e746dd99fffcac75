package io.plugboard.api.codec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Holds elements read before the tensor's datatype or shape was known, to replay them later. */
final class TokenBuffer implements ElementSink {

    private final List<Object> values = new ArrayList<>();
    private final long limit;

    TokenBuffer(long limit) {
        this.limit = limit;
    }

    int size() {
        return values.size();
    }

    private void add(Object v) {
        requireRoom(values.size() + 1, limit);
        values.add(v);
    }

    /** Refuses {@code count} elements held before their tensor's datatype or shape is known, past {@code limit}. */
    static void requireRoom(long count, long limit) {
        if (count > limit) {
            throw new io.plugboard.problem.PlugboardException(io.plugboard.problem.ProblemType.PAYLOAD_TOO_LARGE,
                    "The request holds more tensor elements than its size allows.");
        }
    }

    @Override
    public void bool(boolean v) {
        add(v);
    }

    @Override
    public void integer(long v, BigInteger big) {
        add(big != null ? big : (Object) v);
    }

    /** A decimal as it was read: its value and its text (never converted here: 1e-99999999 is cheap only unparsed). */
    private record Decimal(double value, String text) {
    }

    @Override
    public void decimal(double v, String text) {
        add(new Decimal(v, text));
    }

    @Override
    public void string(String s) {
        add(s);
    }

    void replay(ElementSink sink) {
        for (Object v : values) {
            switch (v) {
                case Boolean b -> sink.bool(b);
                case Long l -> sink.integer(l, null);
                case BigInteger b -> sink.integer(0, b);
                case Decimal d -> {
                    if (sink.wantsSingle()) {
                        sink.single(Float.parseFloat(d.text()));
                    } else {
                        sink.decimal(d.value(), d.text());
                    }
                }
                case String s -> sink.string(s);
                default -> throw new IllegalStateException(String.valueOf(v));
            }
        }
    }
}
