package io.plugboard.api;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors of the V2 endpoints as the protocol defines them: {@code {"error": "..."}} with the status.
 * {@link ProblemHandler} answers in the same form on {@code /v2} paths no V2 endpoint took (an
 * unknown path, a wrong method).
 */
@RestControllerAdvice(assignableTypes = V2Controller.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class V2ErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(V2ErrorHandler.class);

    @ExceptionHandler(PlugboardException.class)
    ResponseEntity<Object> plugboard(PlugboardException e) {
        return error(e.type().status(), ProblemResponses.headers(e.type()), e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        if (e instanceof ErrorResponse spring) { // Spring MVC's own refusals keep their status
            String detail = spring.getBody().getDetail();
            return error(spring.getStatusCode().value(), spring.getHeaders(), detail != null ? detail : e.getMessage());
        }
        if (e instanceof HttpMessageNotReadableException || ProblemHandler.clientWentAway(e)) {
            return error(ProblemType.MALFORMED_REQUEST.status(), HttpHeaders.EMPTY,
                    "The request body could not be read.");
        }
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return error(500, HttpHeaders.EMPTY, ProblemResponses.UNEXPECTED);
    }

    /** A V2 error body. */
    static ResponseEntity<Object> error(int status, HttpHeaders headers, String message) {
        return ResponseEntity.status(status).headers(headers).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("error", message));
    }

    /** Whether {@code path} is one of the protocol's ({@code /v2} or below). */
    static boolean isV2(String path) {
        return path != null && (path.equals("/v2") || path.startsWith("/v2/"));
    }
}
