package io.plugboard.api;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** Builds RFC 9457 problem responses from {@link ProblemType}s. */
public final class ProblemResponses {

    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
    /** The detail of a failure that is the server's own fault (it is logged). */
    static final String UNEXPECTED = "An unexpected error occurred; it has been logged.";
    /** The detail of a request the heap could not hold. */
    static final String OUT_OF_MEMORY = "The server has not enough memory for this request now; retry later or send "
            + "a smaller one.";

    private ProblemResponses() {
    }

    public static ProblemDetail detail(ProblemType type, String detail, Map<String, Object> properties,
            String instance) {
        ProblemDetail problem = ProblemDetail.forStatus(type.status());
        problem.setType(type.uri());
        problem.setTitle(type.title());
        problem.setDetail(detail);
        if (instance != null) {
            problem.setInstance(URI.create(instance.replace(" ", "%20")));
        }
        properties.forEach(problem::setProperty);
        return problem;
    }

    public static ResponseEntity<ProblemDetail> of(PlugboardException e, HttpServletRequest request) {
        return of(e.type(), e.getMessage(), e.properties(), request);
    }

    public static ResponseEntity<ProblemDetail> of(ProblemType type, String detail, Map<String, Object> properties,
            HttpServletRequest request) {
        HttpHeaders headers = headers(type);
        String instance = request == null ? null : safePath(request.getRequestURI());
        ProblemDetail problem = detail(type, detail, properties, instance);
        withRequestId(problem, request);
        return ResponseEntity.status(type.status()).headers(headers).contentType(PROBLEM_JSON).body(problem);
    }

    /** Adds the request's id ({@code X-Request-Id}) as {@code requestId}, when it has one. */
    static void withRequestId(ProblemDetail problem, HttpServletRequest request) {
        Object id = request == null ? null : request.getAttribute(ProblemWriter.REQUEST_ID);
        if (id != null) {
            problem.setProperty("requestId", id);
        }
    }

    private static String safePath(String path) {
        if (path == null) {
            return null;
        }
        try {
            return URI.create(path).getRawPath();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The problem type of an HTTP status raised outside Plugboard's own code (Spring MVC, the
     * security firewall, the container): the specific type where there is one.
     */
    static ProblemType typeFor(int status) {
        return switch (status) {
            case 401 -> ProblemType.UNAUTHORIZED;
            case 403 -> ProblemType.FORBIDDEN;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> status < 500 ? ProblemType.MALFORMED_REQUEST : ProblemType.INTERNAL_ERROR;
        };
    }

    /**
     * Logs a problem as its kind deserves: a condition of the moment (the shared store down, the
     * request-memory budget full) in one warning line; a server-side failure with its stack trace;
     * a client's mistake, a model not ready yet or a timeout not at all.
     */
    static void logged(org.slf4j.Logger log, PlugboardException e, HttpServletRequest request) {
        ProblemType type = e.type();
        if (type == ProblemType.STORE_UNAVAILABLE || type == ProblemType.INSUFFICIENT_MEMORY) {
            log.warn("{} on {} {}: {}", type.slug(), request.getMethod(), request.getRequestURI(), e.getMessage());
        } else if (type.status() >= 500 && type != ProblemType.MODEL_NOT_READY && type != ProblemType.TIMEOUT) {
            log.error("{} on {}", type.slug(), request.getRequestURI(), e);
        }
    }

    /** Headers every error answer of this type carries: {@code Retry-After} when trying again later can succeed. */
    static HttpHeaders headers(ProblemType type) {
        HttpHeaders headers = new HttpHeaders();
        if (type == ProblemType.QUEUE_FULL || type == ProblemType.MODEL_NOT_READY
                || type == ProblemType.INSUFFICIENT_MEMORY || type == ProblemType.TOO_MANY_UPLOADS) {
            headers.set(HttpHeaders.RETRY_AFTER, "1");
        } else if (type == ProblemType.STORE_UNAVAILABLE) {
            headers.set(HttpHeaders.RETRY_AFTER, "5");
        }
        return headers;
    }
}
