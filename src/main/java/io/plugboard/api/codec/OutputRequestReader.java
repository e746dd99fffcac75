package io.plugboard.api.codec;

import static io.plugboard.api.codec.JsonTokens.malformed;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/** Reads one entry of a request's {@code outputs}: the output's name and whether it is wanted as binary. */
final class OutputRequestReader {

    private OutputRequestReader() {
    }

    /** Reads the entry the parser is at. */
    static DecodedRequest.OutputRequest read(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw malformed("Each entry of 'outputs' must be an object with a 'name'.");
        }
        String name = null;
        Boolean binary = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("name")) {
                name = JsonTokens.requireString(p, "name");
            } else if (field.equals("parameters")) {
                binary = parameters(p, binary);
            } else {
                p.skipChildren();
            }
        }
        if (name == null) {
            throw malformed("An entry of 'outputs' has no 'name'.");
        }
        return new DecodedRequest.OutputRequest(name, binary);
    }

    /**
     * An output's {@code parameters}: {@code binary_data} (null when not given); the extensions'
     * parameters this server has not are refused.
     */
    private static Boolean parameters(JsonParser p, Boolean binary) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return binary;
        }
        Boolean value = binary;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String param = p.currentName();
            p.nextToken();
            RequestParameters.refuseUnsupportedOutputParameter(param);
            if (param.equals("binary_data")) {
                value = RequestParameters.flag(param, p.currentToken());
            } else {
                p.skipChildren();
            }
        }
        return value;
    }
}
