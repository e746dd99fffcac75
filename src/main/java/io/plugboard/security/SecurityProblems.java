package io.plugboard.security;

import io.plugboard.api.ProblemWriter;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The problem+json answers of the security filters (401, 403), which run before Spring MVC. */
public final class SecurityProblems {

    private final ProblemWriter writer;

    public SecurityProblems(ProblemWriter writer) {
        this.writer = writer;
    }

    /** 401: no token, or one that is not configured, where a token is needed. */
    public void unauthorized(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"plugboard\"");
        writer.write(request, response, ProblemType.UNAUTHORIZED, detail);
    }

    /** 403: a known token without the scope ({@code FORBIDDEN}), or a cross-site write ({@code CROSS_ORIGIN}). */
    public void forbidden(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail)
            throws IOException {
        writer.write(request, response, type, detail);
    }
}
