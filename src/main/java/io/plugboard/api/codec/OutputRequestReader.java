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
        boolean binary = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("name")) {
                name = JsonTokens.requireString(p, "name");
            } else if (field.equals("parameters")) {
                binary = JsonTokens.parameter(p, "binary_data", binary,
                        v -> v.currentToken() == JsonToken.VALUE_TRUE);
            } else {
                p.skipChildren();
            }
        }
        if (name == null) {
            throw malformed("An entry of 'outputs' has no 'name'.");
        }
        return new DecodedRequest.OutputRequest(name, binary);
    }
}
