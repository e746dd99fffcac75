package io.plugboard.api.codec;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.time.Duration;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The request-level {@code parameters}: {@code timeout} in microseconds (Triton's convention) or
 * {@code timeout_ms} in milliseconds (0: the server's default), and {@code binary_data_output};
 * Triton's sequence parameters are refused when they name a sequence.
 */
public record RequestParameters(Duration timeout, boolean binaryOutput) {

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
                binaryOutput = flag(field, t);
            } else if (field.startsWith("sequence_")) {
                refuseSequence(p, field, t);
            } else {
                p.skipChildren();
            }
        }
        return new RequestParameters(timeout, binaryOutput);
    }

    /** A true/false parameter; anything else is refused, not read as false. */
    static boolean flag(String field, JsonToken t) {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "Parameter '" + field
                    + "' must be true or false.", Map.of("parameter", field));
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /** The timeout asked for; null (the server's default) for 0, as Triton reads it. */
    private static Duration timeout(JsonParser p, String field, JsonToken t) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() < 0) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER,
                    "Parameter '" + field + "' must be a positive integer, or 0 for the server's default.",
                    Map.of("parameter", field));
        }
        long v = p.getLongValue();
        if (v == 0) {
            return null;
        }
        return field.equals("timeout") ? Duration.ofNanos(Math.multiplyExact(Math.min(v, 3_600_000_000L), 1000L))
                : Duration.ofMillis(Math.min(v, 3_600_000L));
    }

    /**
     * Triton's sequence parameters: models here are stateless, so a request naming a sequence
     * ({@code sequence_id} other than 0 or "", {@code sequence_start} or {@code sequence_end} true)
     * is refused rather than served out of its sequence.
     */
    private static void refuseSequence(JsonParser p, String field, JsonToken t) {
        boolean none = switch (t) {
            case VALUE_FALSE, VALUE_NULL -> true;
            case VALUE_NUMBER_INT -> p.getNumberType() != JsonParser.NumberType.BIG_INTEGER && p.getLongValue() == 0;
            case VALUE_STRING -> p.getString().isEmpty();
            default -> false;
        };
        p.skipChildren();
        if (!none) {
            throw sequenceRefused(field);
        }
    }

    /**
     * Refuses an output parameter of Triton's extensions this server does not have
     * ({@code classification}, {@code shared_memory_*}): ignoring it would answer with other data
     * than the client expects.
     */
    public static void refuseUnsupportedOutputParameter(String param) {
        if (param.equals("classification") || param.startsWith("shared_memory_")) {
            throw new PlugboardException(ProblemType.INVALID_PARAMETER, "Output parameter '" + param
                    + "' is not supported by this server (no classification or shared-memory extension).",
                    Map.of("parameter", param));
        }
    }

    /** The refusal of a request that names a sequence. */
    public static PlugboardException sequenceRefused(String field) {
        return new PlugboardException(ProblemType.INVALID_PARAMETER, "Parameter '" + field
                + "' names a sequence, but this server's models are stateless: send the request without it.",
                Map.of("parameter", field));
    }
}
