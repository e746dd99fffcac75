package io.plugboard.api;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers every failure as {@code application/problem+json} with a stable type: Plugboard's own
 * and Spring MVC's (unknown route, wrong method or media type, upload too large). A client error is
 * never a 500.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(PlugboardException.class)
    ResponseEntity<ProblemDetail> plugboard(PlugboardException e, HttpServletRequest request) {
        ProblemResponses.logged(log, e, request);
        return ProblemResponses.of(e, request);
    }

    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        Throwable root = rootCause(e);
        String name = root.getClass().getSimpleName();
        String detail = name.contains("FileCount") ? "The upload has more parts than the server takes ("
                + root.getMessage() + "); send the model's files, and its fields, as fewer parts."
                : name.contains("SizeLimit") || e.getMaxUploadSize() > 0 || root == e
                        ? "The upload exceeds the limit" + (e.getMaxUploadSize() > 0 ? " of " + e.getMaxUploadSize()
                                + " bytes" : "") + " (plugboard.upload.max-size)."
                        : "The upload exceeds a limit: " + root.getMessage();
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        return handleExceptionInternal(e, body, headers, status, request);
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e, HttpServletRequest request) {
        Throwable root = rootCause(e);
        String message = String.valueOf(root.getMessage());
        if (message.contains("exceed") || message.contains("too large")) {
            return ProblemResponses.of(ProblemType.PAYLOAD_TOO_LARGE, "The upload exceeds a size limit: " + message,
                    Map.of(), request);
        }
        return ProblemResponses.of(ProblemType.MALFORMED_REQUEST, "The multipart upload is malformed: " + message,
                Map.of(), request);
    }

    /** The heap ran out while serving this request: the server lives on; the client may retry. */
    @ExceptionHandler(OutOfMemoryError.class)
    ResponseEntity<ProblemDetail> outOfMemory(OutOfMemoryError e, HttpServletRequest request) {
        log.warn("Out of memory on {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        return ProblemResponses.of(ProblemType.INSUFFICIENT_MEMORY, ProblemResponses.OUT_OF_MEMORY, Map.of(),
                request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        if (clientWentAway(e)) {
            log.debug("Client went away during {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return ProblemResponses.of(ProblemType.MALFORMED_REQUEST, "The request broke off before it was read.",
                    Map.of(), request);
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("MultipartHttpServletRequest")) {
            // the multipart body could not be parsed (cut off, or its framing broken) before the upload began
            log.debug("Unreadable multipart body on {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return ProblemResponses.of(ProblemType.MALFORMED_REQUEST, "The multipart upload is malformed or was cut "
                    + "off; send the model in a part named 'file', e.g. curl -F file=@model.onnx.", Map.of(), request);
        }
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return ProblemResponses.of(ProblemType.INTERNAL_ERROR,
                ProblemResponses.UNEXPECTED, Map.of(), request);
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** A connection closed or reset by the client mid-request (an aborted upload): not a server fault. */
    static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (name.equals("ClientAbortException") || t instanceof java.io.EOFException
                    || name.equals("AsyncRequestNotUsableException")) {
                return true;
            }
        }
        return false;
    }

    /** A version in the path that is not a number names no version: 404, as on /v2 and over gRPC. */
    @Override
    protected ResponseEntity<Object> handleTypeMismatch(org.springframework.beans.TypeMismatchException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (ex instanceof org.springframework.web.method.annotation.MethodArgumentTypeMismatchException m
                && "version".equals(m.getName()) && request instanceof ServletWebRequest swr) {
            ResponseEntity<ProblemDetail> problem = ProblemResponses.of(new PlugboardException(
                    ProblemType.VERSION_NOT_FOUND, "Version '" + m.getValue() + "' is not a version number."),
                    swr.getRequest());
            return ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders()).body(problem.getBody());
        }
        return super.handleTypeMismatch(ex, headers, status, request);
    }

    /** Gives Spring MVC's own problems (404 route, 405, 415, 400 binding …) Plugboard's types. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        ProblemType type = ProblemResponses.typeFor(statusCode.value());
        String detail = body instanceof ProblemDetail p && p.getDetail() != null ? p.getDetail() : ex.getMessage();
        String path = request instanceof ServletWebRequest swr ? swr.getRequest().getRequestURI() : null;
        String method = request instanceof ServletWebRequest swr ? swr.getRequest().getMethod() : "";
        if (type == ProblemType.NOT_FOUND) {
            detail = "No endpoint answers " + method + " " + path + "; see /v3/api-docs for the API.";
        } else if (type == ProblemType.UNSUPPORTED_MEDIA_TYPE && path != null && path.matches("/v1/models(/[^/]+/versions)?/?")) {
            detail = "A model upload is multipart/form-data with the model in a part named 'file', e.g. "
                    + "curl -F file=@model.onnx " + path + " (" + detail + ")";
        }
        if (V2ErrorHandler.isV2(path)) { // the protocol's own error form on its paths
            return V2ErrorHandler.error(type.status(), headers, detail);
        }
        ProblemDetail problem = ProblemResponses.detail(type, detail, Map.of(), path);
        if (request instanceof ServletWebRequest swr) {
            ProblemResponses.withRequestId(problem, swr.getRequest());
        }
        if (type == ProblemType.INTERNAL_ERROR) {
            log.error("Request failed", ex);
        }
        HttpHeaders out = new HttpHeaders();
        out.putAll(headers);
        out.setContentType(ProblemResponses.PROBLEM_JSON);
        return ResponseEntity.status(type.status()).headers(out).body(problem);
    }
}
