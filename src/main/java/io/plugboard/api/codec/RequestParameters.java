package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.time.Duration;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The request-level {@code parameters}: {@code timeout} in microseconds (Triton's convention) or
 * {@code timeout_ms} in milliseconds, and {@code binary_data_output}.
 */
record RequestParameters(Duration timeout, boolean binaryOutput) {

    /** What a request without {@code parameters} asks for. */
    static final RequestParameters DEFAULTS = new RequestParameters(null, false);

    /** Reads the {@code parameters} value the parser is at. */
    static RequestParameters read(JsonParser p) {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return DEFAULTS;
        }
        Duration timeout = null;
        boolean binaryOutput = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (field.equals("timeout") || field.equals("timeout_ms")) {
                timeout = timeout(p, field, t);
            } else if (field.equals("binary_data_output")) {
                binaryOutput = t == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return new RequestParameters(timeout, binaryOutput);
    }

    private static Duration timeout(JsonParser p, String field, JsonToken t) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() <= 0) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER,
                    "Parameter '" + field + "' must be a positive integer.", Map.of("parameter", field));
        }
        long v = p.getLongValue();
        return field.equals("timeout") ? Duration.ofNanos(Math.multiplyExact(Math.min(v, 3_600_000_000L), 1000L))
                : Duration.ofMillis(Math.min(v, 3_600_000L));
    }
}
