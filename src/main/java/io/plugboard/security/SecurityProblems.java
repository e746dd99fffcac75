package io.plugboard.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Writes the problem+json answers of the security filters (401, 403), which run before Spring MVC. */
public final class SecurityProblems {

    private final JsonMapper json;

    public SecurityProblems(JsonMapper json) {
        this.json = json;
    }

    /** 401: no token, or one that is not configured, where a token is needed. */
    public void unauthorized(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer realm=\"plugboard\"");
        write(request, response, 401, "unauthorized", "Authentication required", detail);
    }

    /** 403: a known token without the scope, or a cross-site write. */
    public void forbidden(HttpServletRequest request, HttpServletResponse response, String slug, String detail)
            throws IOException {
        write(request, response, 403, slug, slug.equals("cross-origin") ? "Cross-site request refused" : "Forbidden",
                detail);
    }

    private void write(HttpServletRequest request, HttpServletResponse response, int status, String slug,
            String title, String detail) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://plugboard.io/problems/" + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", request.getRequestURI());
        Object requestId = request.getAttribute(RequestIds.ATTRIBUTE);
        if (requestId != null) {
            body.put("requestId", requestId);
        }
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.getOutputStream().write(json.writeValueAsBytes(body));
    }
}
