package io.plugboard.api;

import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a problem+json answer where Spring MVC (and its converters) does not: from a servlet
 * filter before it runs, or for a request answered asynchronously after it returned.
 */
public final class ProblemWriter {

    /** The request attribute holding the request id, shown in problem details as {@code requestId}. */
    public static final String REQUEST_ID = "io.plugboard.requestId";
    /** The logging context's key for the request id ({@code %X{requestId}} in the log pattern). */
    public static final String REQUEST_ID_LOG_KEY = "requestId";

    private final JsonMapper json;

    public ProblemWriter(JsonMapper json) {
        this.json = json;
    }

    /**
     * Writes the Open Inference Protocol's error form, {@code {"error": detail}}, with the type's
     * status and headers: what {@code /v2} paths answer instead of problem+json.
     */
    void writeV2(HttpServletResponse response, ProblemType type, String detail) throws IOException {
        ProblemResponses.headers(type).forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        response.setStatus(type.status());
        response.setContentType("application/json");
        response.getOutputStream().write(json.writeValueAsBytes(Map.of("error", detail)));
    }

    /**
     * Runs {@code action} with the request's id in this thread's logging context, as on the
     * request's own thread, then puts back what the context held: for work on the request's
     * behalf on another thread (its answer written later, its access line).
     */
    public static void loggingAs(jakarta.servlet.ServletRequest request, Runnable action) {
        Object id = request.getAttribute(REQUEST_ID);
        String previous = org.slf4j.MDC.get(REQUEST_ID_LOG_KEY);
        if (id != null) {
            org.slf4j.MDC.put(REQUEST_ID_LOG_KEY, id.toString());
        }
        try {
            action.run();
        } finally {
            if (previous != null) {
                org.slf4j.MDC.put(REQUEST_ID_LOG_KEY, previous);
            } else {
                org.slf4j.MDC.remove(REQUEST_ID_LOG_KEY);
            }
        }
    }

    public void write(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail)
            throws IOException {
        write(request, response, type, detail, Map.of());
    }

    /** As {@link #write(HttpServletRequest, HttpServletResponse, ProblemType, String)}, with the problem's own members. */
    public void write(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail,
            Map<String, Object> properties) throws IOException {
        write(request, response, type, detail, properties, request.getRequestURI());
    }

    /** As above, for the request at {@code instance} (on an error dispatch, the path that failed). */
    void write(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail,
            Map<String, Object> properties, String instance) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type.uri().toString());
        body.put("title", type.title());
        body.put("status", type.status());
        body.put("detail", detail);
        body.put("instance", instance);
        body.putAll(properties);
        Object requestId = request.getAttribute(REQUEST_ID);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        ProblemResponses.headers(type).forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        response.setStatus(type.status());
        response.setContentType("application/problem+json");
        response.getOutputStream().write(json.writeValueAsBytes(body));
    }
}
