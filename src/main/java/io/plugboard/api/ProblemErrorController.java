package io.plugboard.api;

import io.plugboard.problem.ProblemType;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The container's error page ({@code /error}): a request refused before any endpoint took it (a
 * path the firewall rejects, a body whose chunked framing is broken, a sendError) is answered as
 * every other failure, problem+json with the path that failed as {@code instance}, or the
 * protocol's {@code {"error": ...}} under {@code /v2}.
 */
@Hidden
@RestController
public class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    private final ProblemWriter problems;

    public ProblemErrorController(JsonMapper json) {
        this.problems = new ProblemWriter(json);
    }

    @RequestMapping("${server.error.path:/error}")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code ? code : 500;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri != null ? uri.toString() : request.getRequestURI();
        Throwable failure = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable t ? t : null;
        ProblemType type = ProblemResponses.typeFor(status);
        String detail;
        if (type == ProblemType.INTERNAL_ERROR) {
            log.error("Unexpected failure on {} {}", request.getMethod(), path, failure);
            detail = ProblemResponses.UNEXPECTED;
        } else {
            String why = failure != null && failure.getMessage() != null
                    ? " " + io.plugboard.problem.PlugboardException.abbreviate(failure.getMessage(), 300) : "";
            detail = "The request was refused before an endpoint took it (HTTP " + status + ")." + why;
            log.debug("{} refused before an endpoint: {}", path, detail);
        }
        response.resetBuffer();
        if (V2ErrorHandler.isV2(path)) {
            problems.writeV2(response, type, detail);
        } else {
            problems.write(request, response, type, detail, Map.of(), path);
        }
    }
}
