package io.plugboard.api.codec;

import static io.plugboard.api.codec.JsonTokens.malformed;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads one entry of a request's {@code inputs} into a tensor, or into a binary input when it
 * declares {@code binary_data_size}; the element buffer is sized from the checked shape.
 */
final class InputReader {

    /** One input: a {@code tensor} decoded from JSON, or a {@code binary} input still to be filled. */
    record DecodedInput(String name, Tensor tensor, DecodedRequest.BinaryInput binary) {
    }

    private InputReader() {
    }

    /**
     * Reads the entry the parser is at.
     *
     * @param maxElements the most elements the input may declare
     * @param numbers the numeric data arrays spliced out of what the parser reads
     */
    static DecodedInput read(JsonParser p, long maxElements, NumericArrays numbers) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw malformed("Each entry of 'inputs' must be an object.");
        }
        String name = null;
        DataType type = null;
        long[] shape = null;
        TokenBuffer early = null;
        int earlyArray = -1; // a spliced numeric array read before the datatype or shape
        ElementSink sink = null;
        int count = -1;
        boolean sawData = false;
        long binarySize = -1;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> name = JsonTokens.requireString(p, "name");
                case "datatype" -> type = dataType(p);
                case "shape" -> shape = ShapeReader.read(p, maxElements);
                case "data" -> {
                    sawData = true;
                    int spliced = numbers.take(p);
                    early = null;
                    earlyArray = -1;
                    if (type != null && shape != null) {
                        count = count(name, shape, maxElements);
                        sink = sink(name, type, count);
                        if (spliced >= 0) {
                            numbers.read(spliced, sink);
                        } else {
                            DataReader.read(p, sink);
                        }
                    } else if (spliced >= 0) {
                        TokenBuffer.requireRoom(numbers.elements(spliced), maxElements); // as if buffered
                        earlyArray = spliced;
                    } else {
                        early = new TokenBuffer(maxElements);
                        DataReader.read(p, early);
                    }
                }
                case "parameters" -> binarySize = JsonTokens.parameter(p, "binary_data_size", binarySize,
                        InputReader::binaryDataSize);
                default -> p.skipChildren();
            }
        }
        if (name == null || name.isEmpty()) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "An input has no 'name'.");
        }
        if (type == null) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Input '" + name + "' has no 'datatype'.",
                    Map.of("input", name));
        }
        if (shape == null) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Input '" + name + "' has no 'shape'.",
                    Map.of("input", name));
        }
        if (binarySize >= 0) {
            if (sawData) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "Input '" + name
                        + "' has both 'data' and binary_data_size.", Map.of("input", name));
            }
            count(name, shape, maxElements);
            return new DecodedInput(name, null, new DecodedRequest.BinaryInput(name, type, shape, binarySize));
        }
        if (!sawData) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Input '" + name + "' has no 'data'.",
                    Map.of("input", name));
        }
        if (sink == null) {
            count = count(name, shape, maxElements);
            sink = sink(name, type, count);
            if (earlyArray >= 0) {
                numbers.read(earlyArray, sink);
            } else {
                early.replay(sink);
            }
        }
        return new DecodedInput(name, finish(name, type, shape, count, sink), null);
    }

    private static DataType dataType(JsonParser p) {
        String text = JsonTokens.requireString(p, "datatype");
        return DataType.fromName(text).orElseThrow(() -> new PlugboardException(ProblemType.INVALID_TENSOR,
                "Unknown datatype '" + text + "'; use one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, "
                        + "INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES."));
    }

    private static long binaryDataSize(JsonParser p) {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
            throw malformed("binary_data_size must be a non-negative integer.");
        }
        return p.getLongValue();
    }

    private static ElementSink sink(String name, DataType type, int count) {
        return type == DataType.BYTES ? new BytesSink(name, count) : new ElementWriter(name, type, count);
    }

    private static Tensor finish(String name, DataType type, long[] shape, int count, ElementSink sink) {
        if (sink instanceof BytesSink bytes) {
            if (bytes.elements().size() != count) {
                throw countMismatch(name, shape, count, bytes.elements().size());
            }
            return Tensor.ofBytes(shape, bytes.elements());
        }
        ElementWriter writer = (ElementWriter) sink;
        if (!writer.full()) {
            ByteBuffer data = writer.finish();
            throw countMismatch(name, shape, count, data.remaining() / type.byteSize());
        }
        return Tensor.of(type, shape, writer.finish());
    }

    private static PlugboardException countMismatch(String name, long[] shape, int expected, int actual) {
        return new PlugboardException(ProblemType.INVALID_TENSOR, "Input '" + name + "' has shape "
                + Shape.format(shape) + " (" + expected + " elements) but " + actual + " data elements.",
                Map.of("input", name));
    }

    private static int count(String name, long[] shape, long maxElements) {
        long count = Shape.elementCount(shape, Math.min(maxElements, Integer.MAX_VALUE - 8));
        if (count < 0) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "Input '" + name + "' declares shape "
                    + Shape.format(shape) + ", which holds more elements than the request can carry.",
                    Map.of("input", String.valueOf(name)));
        }
        return (int) count;
    }
}
