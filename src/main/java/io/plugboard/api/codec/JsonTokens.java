package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.function.Function;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/** The token checks the request readers share; a token of the wrong kind is a malformed request. */
final class JsonTokens {

    private JsonTokens() {
    }

    static String requireString(JsonParser p, String field) {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw malformed("'" + field + "' must be a string.");
        }
        return p.getString();
    }

    static void requireArray(JsonParser p, String field) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw malformed("'" + field + "' must be an array.");
        }
    }

    /**
     * Reads the one parameter {@code wanted} from the {@code parameters} value the parser is at,
     * skipping every other; {@code read} is called with the parameter's value current. Returns
     * {@code current} when the parameter is absent or the value is not an object.
     */
    static <T> T parameter(JsonParser p, String wanted, T current, Function<JsonParser, T> read) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return current;
        }
        T value = current;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String param = p.currentName();
            p.nextToken();
            if (param.equals(wanted)) {
                value = read.apply(p);
            } else {
                p.skipChildren();
            }
        }
        return value;
    }

    static PlugboardException malformed(String detail) {
        return new PlugboardException(ProblemType.MALFORMED_REQUEST, detail);
    }
}
