package io.plugboard.api;

import io.plugboard.problem.ProblemType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Admits at most {@code plugboard.limits.max-concurrent-uploads} model uploads at once; another one
 * gets 429 {@code too-many-uploads} with {@code Retry-After} before a byte of its body is read.
 * Each upload streams to disk and loads an engine, so their number bounds disk, memory and CPU.
 */
public final class UploadAdmission extends OncePerRequestFilter {

    private static final Pattern UPLOADS = Pattern.compile("/v1/models(/[^/]+/versions)?/?");

    private final Semaphore slots;
    private final int max;
    private final ProblemWriter problems;

    public UploadAdmission(int max, ProblemWriter problems) {
        this.slots = new Semaphore(max);
        this.max = max;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !UPLOADS.matcher(request.getRequestURI()).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!slots.tryAcquire()) {
            problems.write(request, response, ProblemType.TOO_MANY_UPLOADS, "The server is receiving " + max
                    + " uploads already (plugboard.limits.max-concurrent-uploads); retry shortly.");
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            slots.release();
        }
    }
}
