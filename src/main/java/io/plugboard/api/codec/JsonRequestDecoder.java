package io.plugboard.api.codec;

import io.plugboard.inference.InferenceRequest;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.plugboard.tensor.Shape;
import io.plugboard.tensor.Tensor;
import java.io.InputStream;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decodes an Open Inference Protocol (KServe V2) JSON request by streaming: element data goes
 * straight into a buffer sized from the declared shape, which is checked before anything is
 * allocated. {@code data} may be flat or nested; request parameter {@code timeout} is in
 * microseconds (Triton's convention), {@code timeout_ms} in milliseconds.
 */
public final class JsonRequestDecoder {

    private final JsonMapper mapper;

    public JsonRequestDecoder(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * @param maxElements the most elements any tensor may declare (derived from the request size)
     */
    public InferenceRequest decode(InputStream body, long maxElements) {
        return decodeJsonOnly(body, maxElements).request(Map.of());
    }

    /** A request sent as JSON alone: no input may declare {@code binary_data_size}. */
    public DecodedRequest decodeJsonOnly(InputStream body, long maxElements) {
        DecodedRequest decoded = decodeHeader(body, maxElements);
        if (!decoded.binaryInputs().isEmpty()) {
            throw malformed("Input '" + decoded.binaryInputs().get(0).name() + "' declares binary_data_size, but the "
                    + "request was sent as JSON; send it as application/octet-stream with an "
                    + "Inference-Header-Content-Length header.");
        }
        return decoded;
    }

    /**
     * Decodes the JSON part of a request; inputs declaring {@code parameters.binary_data_size} are
     * returned as {@link DecodedRequest.BinaryInput}s for the binary section to fill.
     */
    public DecodedRequest decodeHeader(InputStream body, long maxElements) {
        try (JsonParser p = mapper.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("The request body must be a JSON object.");
            }
            String id = null;
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            List<DecodedRequest.BinaryInput> binary = new ArrayList<>();
            List<DecodedRequest.OutputRequest> outputs = new ArrayList<>();
            RequestParameters parameters = new RequestParameters(null, false);
            boolean sawInputs = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> id = value == JsonToken.VALUE_NULL ? null : requireString(p, "id");
                    case "parameters" -> parameters = parameters(p);
                    case "inputs" -> {
                        sawInputs = true;
                        requireArray(p, "inputs");
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            DecodedInput input = input(p, maxElements);
                            boolean seen = inputs.containsKey(input.name())
                                    || binary.stream().anyMatch(b -> b.name().equals(input.name()));
                            if (seen) {
                                throw malformed("Input '" + input.name() + "' appears twice.");
                            }
                            if (input.binary() != null) {
                                binary.add(input.binary());
                            } else {
                                inputs.put(input.name(), input.tensor());
                            }
                        }
                    }
                    case "outputs" -> {
                        if (value != JsonToken.VALUE_NULL) {
                            requireArray(p, "outputs");
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                outputs.add(output(p));
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (!sawInputs) {
                throw malformed("The request has no 'inputs' array.");
            }
            return new DecodedRequest(id, inputs, binary, outputs, parameters.timeout(), parameters.binaryOutput());
        } catch (JacksonException e) {
            throw malformed("The request is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private record DecodedInput(String name, Tensor tensor, DecodedRequest.BinaryInput binary) {
    }

    private record RequestParameters(Duration timeout, boolean binaryOutput) {
    }

    private DecodedInput input(JsonParser p, long maxElements) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw malformed("Each entry of 'inputs' must be an object.");
        }
        String name = null;
        DataType type = null;
        long[] shape = null;
        TokenBuffer early = null;
        ElementSink sink = null;
        int count = -1;
        boolean sawData = false;
        long binarySize = -1;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> name = requireString(p, "name");
                case "datatype" -> {
                    String text = requireString(p, "datatype");
                    type = DataType.fromName(text).orElseThrow(() -> new PlugboardException(ProblemType.INVALID_TENSOR,
                            "Unknown datatype '" + text + "'; use one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, "
                                    + "INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES."));
                }
                case "shape" -> shape = shape(p, maxElements);
                case "data" -> {
                    sawData = true;
                    if (type != null && shape != null) {
                        count = count(name, shape, maxElements);
                        sink = sink(name, type, count);
                        data(p, sink, 0);
                    } else {
                        early = new TokenBuffer(maxElements);
                        data(p, early, 0);
                    }
                }
                case "parameters" -> {
                    if (value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                            String param = p.currentName();
                            p.nextToken();
                            if (param.equals("binary_data_size")) {
                                if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
                                        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() < 0) {
                                    throw malformed("binary_data_size must be a non-negative integer.");
                                }
                                binarySize = p.getLongValue();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
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
            early.replay(sink);
        }
        return new DecodedInput(name, finish(name, type, shape, count, sink), null);
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
            java.nio.ByteBuffer data = writer.finish();
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

    private static long[] shape(JsonParser p, long maxElements) {
        requireArray(p, "shape");
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
            if (n == 32) {
                throw new PlugboardException(ProblemType.INVALID_TENSOR, "Shapes have at most 32 dimensions.");
            }
            if (n == dims.length) {
                dims = java.util.Arrays.copyOf(dims, 32);
            }
            dims[n++] = dim;
        }
        return java.util.Arrays.copyOf(dims, n);
    }

    private static void data(JsonParser p, ElementSink sink, int depth) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.START_ARRAY) {
            element(p, sink, t);
            return;
        }
        if (depth > 32) {
            throw new PlugboardException(ProblemType.INVALID_TENSOR, "'data' is nested too deeply.");
        }
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_ARRAY) {
                data(p, sink, depth + 1);
            } else {
                element(p, sink, t);
            }
        }
    }

    private static void element(JsonParser p, ElementSink sink, JsonToken t) {
        switch (t) {
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    BigInteger big = p.getBigIntegerValue();
                    sink.integer(0, big);
                } else {
                    sink.integer(p.getLongValue(), null);
                }
            }
            case VALUE_NUMBER_FLOAT -> sink.decimal(p.getDoubleValue(), p.getString());
            case VALUE_TRUE -> sink.bool(true);
            case VALUE_FALSE -> sink.bool(false);
            case VALUE_STRING -> sink.string(p.getString());
            default -> throw new PlugboardException(ProblemType.INVALID_TENSOR,
                    "'data' holds " + t + "; elements are numbers, booleans or strings.");
        }
    }

    private static DecodedRequest.OutputRequest output(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw malformed("Each entry of 'outputs' must be an object with a 'name'.");
        }
        String name = null;
        boolean binary = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("name")) {
                name = requireString(p, "name");
            } else if (field.equals("parameters") && t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                    String param = p.currentName();
                    JsonToken v = p.nextToken();
                    if (param.equals("binary_data")) {
                        binary = v == JsonToken.VALUE_TRUE;
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (name == null) {
            throw malformed("An entry of 'outputs' has no 'name'.");
        }
        return new DecodedRequest.OutputRequest(name, binary);
    }

    private static RequestParameters parameters(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new RequestParameters(null, false);
        }
        Duration timeout = null;
        boolean binaryOutput = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("timeout") || field.equals("timeout_ms")) {
                if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        || p.getLongValue() <= 0) {
                    throw new PlugboardException(ProblemType.INVALID_PARAMETER,
                            "Parameter '" + field + "' must be a positive integer.", Map.of("parameter", field));
                }
                long v = p.getLongValue();
                timeout = field.equals("timeout") ? Duration.ofNanos(Math.multiplyExact(Math.min(v, 3_600_000_000L), 1000L))
                        : Duration.ofMillis(Math.min(v, 3_600_000L));
            } else if (field.equals("binary_data_output")) {
                binaryOutput = t == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return new RequestParameters(timeout, binaryOutput);
    }

    private static String requireString(JsonParser p, String field) {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw malformed("'" + field + "' must be a string.");
        }
        return p.getString();
    }

    private static void requireArray(JsonParser p, String field) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw malformed("'" + field + "' must be an array.");
        }
    }

    private static PlugboardException malformed(String detail) {
        return new PlugboardException(ProblemType.MALFORMED_REQUEST, detail);
    }
}
