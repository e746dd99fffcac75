package io.plugboard.problem;

import java.util.Map;

/**
 * A failure with a {@link ProblemType}: the API answers it as {@code application/problem+json}.
 * Thrown by every layer; only the API layer turns it into HTTP.
 */
public class PlugboardException extends RuntimeException {

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
        super(detail, cause);
        this.type = type;
        this.properties = Map.copyOf(properties);
    }

    public ProblemType type() {
        return type;
    }

    /** Extension members added to the problem document (e.g. {@code format}, {@code hint}). */
    public Map<String, Object> properties() {
        return properties;
    }
}
