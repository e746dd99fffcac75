package io.plugboard.api;

import io.plugboard.problem.PlugboardException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors of the V2 endpoints as the protocol defines them: {@code {"error": "..."}} with the status. */
@RestControllerAdvice(assignableTypes = V2Controller.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class V2ErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(V2ErrorHandler.class);

    @ExceptionHandler(PlugboardException.class)
    ResponseEntity<Map<String, String>> plugboard(PlugboardException e) {
        return ResponseEntity.status(e.type().status()).headers(ProblemResponses.headers(e.type()))
                .contentType(MediaType.APPLICATION_JSON).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, String>> unexpected(Exception e) {
        log.error("Unexpected failure on a V2 endpoint", e);
        return ResponseEntity.status(500).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("error", ProblemResponses.UNEXPECTED));
    }
}
