package io.plugboard.security;

import io.plugboard.api.ProblemWriter;
import io.plugboard.api.QuietAsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One line per request on the {@code plugboard.access} logger when {@code plugboard.access-log.enabled}:
 * method, path, status, duration, the token's name (never the token) and the request id.
 */
public final class AccessLog extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger("plugboard.access");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long start = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } finally {
            Authentication caller = SecurityContextHolder.getContext().getAuthentication();
            String name = caller == null ? Caller.ANONYMOUS : caller.getName();
            if (request.isAsyncStarted()) { // answered later (a queued inference): logged once it is
                // on whichever thread ends the exchange: the line carries the request's id as on its own
                request.getAsyncContext().addListener(QuietAsyncListener.onComplete(() -> ProblemWriter.loggingAs(
                        request, () -> line(request, response, start, name))));
            } else {
                line(request, response, start, name);
            }
        }
    }

    private static void line(HttpServletRequest request, HttpServletResponse response, long start, String caller) {
        log.info("{} {} {} {}us caller={} requestId={}", request.getMethod(), request.getRequestURI(),
                response.getStatus(), (System.nanoTime() - start) / 1000, caller,
                request.getAttribute(RequestIds.ATTRIBUTE));
    }
}
