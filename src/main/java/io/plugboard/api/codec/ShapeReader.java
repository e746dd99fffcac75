package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Shape;
import java.util.Arrays;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/** Reads an input's {@code shape}, refusing any dimension the request could not carry. */
final class ShapeReader {


    private ShapeReader() {
    }

    /** Reads the {@code shape} array the parser is at. */
    static long[] read(JsonParser p, long maxElements) {
        JsonTokens.requireArray(p, "shape");
        long[] dims = new long[8];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "'shape' must be an array of integers.");
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "A shape dimension is absurdly large.");
            }
            long dim = p.getLongValue();
            if (dim < 0) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR,
                        "Shape dimensions must not be negative (got " + dim + ").");
            }
            if (dim > maxElements) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "Shape dimension " + dim
                        + " exceeds what the request can carry.");
            }
            if (n == Shape.MAX_DIMENSIONS) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "Shapes have at most " + Shape.MAX_DIMENSIONS + " dimensions.");
            }
            if (n == dims.length) {
                dims = Arrays.copyOf(dims, Shape.MAX_DIMENSIONS);
            }
            dims[n++] = dim;
        }
        return Arrays.copyOf(dims, n);
    }
}
