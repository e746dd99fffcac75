package io.plugboard.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses state-changing requests (anything but GET, HEAD, OPTIONS) that a browser sent from
 * another site: an {@code Origin} that is neither this server's own nor one of
 * {@code plugboard.cors.allowed-origins} gets a 403, token or not. A multipart upload or a
 * {@code text/plain} POST is a "simple" request a page can make a browser send without asking.
 */
public final class CrossSiteWrites extends OncePerRequestFilter {

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final Set<String> allowedOrigins;
    private final SecurityProblems problems;

    public CrossSiteWrites(Set<String> allowedOrigins, SecurityProblems problems) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader("Origin");
        if (origin != null && !SAFE.contains(request.getMethod()) && !allowedOrigins.contains(origin)
                && !sameOrigin(origin, request)) {
            problems.forbidden(request, response, io.plugboard.problem.ProblemType.CROSS_ORIGIN, "A " + request.getMethod() + " from origin '"
                    + (origin.length() > 80 ? origin.substring(0, 80) + "…" : origin) + "' is refused: it is not "
                    + "this server's origin nor in plugboard.cors.allowed-origins.");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean sameOrigin(String origin, HttpServletRequest request) {
        try {
            URI uri = URI.create(origin);
            int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            return request.getScheme().equalsIgnoreCase(uri.getScheme())
                    && request.getServerName().equalsIgnoreCase(uri.getHost()) && request.getServerPort() == port;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
