package io.plugboard.security;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
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
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        // on whichever thread ended the exchange: the line carries the request's id as on its own
                        String key = io.plugboard.api.ProblemWriter.REQUEST_ID_LOG_KEY;
                        Object id = request.getAttribute(RequestIds.ATTRIBUTE);
                        String previous = MDC.get(key);
                        if (id != null) {
                            MDC.put(key, id.toString());
                        }
                        try {
                            line(request, response, start, name);
                        } finally {
                            if (previous != null) {
                                MDC.put(key, previous);
                            } else {
                                MDC.remove(key);
                            }
                        }
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                    }
                });
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
