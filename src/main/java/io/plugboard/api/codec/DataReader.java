package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/** Streams an input's {@code data}, flat or nested, into a sink one scalar element at a time. */
final class DataReader {

    static final int MAX_DEPTH = 32;

    private DataReader() {
    }

    /** Reads the {@code data} value the parser is at. */
    static void read(JsonParser p, ElementSink sink) {
        read(p, sink, 0);
    }

    private static void read(JsonParser p, ElementSink sink, int depth) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.START_ARRAY) {
            element(p, sink, t);
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "'data' is nested too deeply.");
        }
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_ARRAY) {
                read(p, sink, depth + 1);
            } else {
                element(p, sink, t);
            }
        }
    }

    private static void element(JsonParser p, ElementSink sink, JsonToken t) {
        switch (t) {
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    sink.integer(0, p.getBigIntegerValue());
                } else {
                    sink.integer(p.getLongValue(), null);
                }
            }
            // the text is materialised only for integer tensors, which check the form they were sent in
            case VALUE_NUMBER_FLOAT -> {
                if (sink.wantsSingle()) {
                    sink.single(p.getFloatValue());
                } else {
                    sink.decimal(p.getDoubleValue(), sink.wantsDecimalText() ? p.getString() : null);
                }
            }
            case VALUE_TRUE -> sink.bool(true);
            case VALUE_FALSE -> sink.bool(false);
            case VALUE_STRING -> sink.string(p.getString());
            default -> throw new PlugboardException(ProblemType.INVALID_TENSOR,
                    "'data' holds " + t + "; elements are numbers, booleans or strings.");
        }
    }
}
