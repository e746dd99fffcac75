package io.plugboard.problem;

import java.util.Map;

/**
 * A failure with a {@link ProblemType}: the API answers it as {@code application/problem+json}.
 * Thrown by every layer; only the API layer turns it into HTTP. Details quote what the client sent
 * (a name, a shape), so the detail is held to {@link #MAX_DETAIL} characters and each text member
 * to {@link #MAX_MEMBER}: an answer never grows with a hostile name or shape.
 */
public class PlugboardException extends RuntimeException {

    /** The longest detail, in characters; a longer one is cut with an ellipsis. */
    public static final int MAX_DETAIL = 2000;
    /** The longest text member (an input's or model's name as sent). */
    public static final int MAX_MEMBER = 200;

    private final ProblemType type;
    private final Map<String, Object> properties;

    public PlugboardException(ProblemType type, String detail) {
        this(type, detail, Map.of(), null);
    }

    public PlugboardException(ProblemType type, String detail, Throwable cause) {
        this(type, detail, Map.of(), cause);
    }

    public PlugboardException(ProblemType type, String detail, Map<String, Object> properties) {
        this(type, detail, properties, null);
    }

    public PlugboardException(ProblemType type, String detail, Map<String, Object> properties,
            Throwable cause) {
        super(abbreviate(detail, MAX_DETAIL), cause);
        this.type = type;
        Map<String, Object> held = new java.util.LinkedHashMap<>();
        properties.forEach((k, v) -> held.put(k, v instanceof String text ? abbreviate(text, MAX_MEMBER) : v));
        this.properties = Map.copyOf(held);
    }

    /** {@code text} cut to at most {@code max} characters, ending with an ellipsis when cut. */
    public static String abbreviate(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a character
        }
        return text.substring(0, end) + "…";
    }

    public ProblemType type() {
        return type;
    }

    /** Extension members added to the problem document (e.g. {@code format}, {@code hint}). */
    public Map<String, Object> properties() {
        return properties;
    }
}
