package io.plugboard.api.codec;

import static io.plugboard.api.codec.JsonTokens.malformed;
import static io.plugboard.api.codec.JsonTokens.requireArray;
import static io.plugboard.api.codec.JsonTokens.requireString;

import io.plugboard.inference.InferenceRequest;
import io.plugboard.tensor.Tensor;
import java.io.InputStream;
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
        return jsonOnly(decodeHeader(body, maxElements));
    }

    /** As {@link #decodeJsonOnly(InputStream, long)}, for a body already in memory (the faster way). */
    public DecodedRequest decodeJsonOnly(byte[] body, long maxElements) {
        return jsonOnly(decodeHeader(body, maxElements));
    }

    private static DecodedRequest jsonOnly(DecodedRequest decoded) {
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
            return decode(p, NumericArrays.NONE, maxElements);
        } catch (JacksonException e) {
            throw malformed("The request is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * As {@link #decodeHeader(InputStream, long)}, for a JSON part already in memory: numeric
     * {@code data} arrays are converted straight from its bytes.
     */
    public DecodedRequest decodeHeader(byte[] body, long maxElements) {
        NumericArrays numbers = NumericArrays.in(body);
        // read as a stream all the same, so that whatever is not spliced is parsed exactly as when streamed
        try (JsonParser p = mapper.createParser(new java.io.ByteArrayInputStream(numbers.parsed()))) {
            return decode(p, numbers, maxElements);
        } catch (JacksonException e) {
            throw malformed("The request is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static DecodedRequest decode(JsonParser p, NumericArrays numbers, long maxElements) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw malformed("The request body must be a JSON object.");
        }
        String id = null;
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        List<DecodedRequest.BinaryInput> binary = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>(); // one look-up per input, however many
        List<DecodedRequest.OutputRequest> outputs = new ArrayList<>();
        RequestParameters parameters = RequestParameters.DEFAULTS;
        boolean sawInputs = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "id" -> id = value == JsonToken.VALUE_NULL ? null : requireString(p, "id");
                case "parameters" -> parameters = RequestParameters.read(p);
                case "inputs" -> {
                    sawInputs = true;
                    requireArray(p, "inputs");
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        InputReader.DecodedInput input = InputReader.read(p, maxElements, numbers);
                        InferenceRequest.requireAtMostMaxTensors(names.size() + 1, "inputs");
                        if (!names.add(input.name())) {
                            String name = input.name().length() > 64 ? input.name().substring(0, 64) + "…" : input.name();
                            throw malformed("Input '" + name + "' appears twice.");
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
                            outputs.add(OutputRequestReader.read(p));
                            InferenceRequest.requireAtMostMaxTensors(outputs.size(), "outputs");
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (!sawInputs) {
            throw malformed("The request has no 'inputs' array.");
        }
        if (p.nextToken() != null) {
            throw malformed("The request has more after its JSON object; send one object.");
        }
        return new DecodedRequest(id, inputs, binary, outputs, parameters.timeout(), parameters.binaryOutput());
    }
}
