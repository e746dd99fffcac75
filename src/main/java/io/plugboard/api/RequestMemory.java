package io.plugboard.api;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget for inference request buffers in flight
 * ({@code plugboard.limits.request-memory}). Each request is charged as its body arrives, by what
 * those bytes can decode to, and gives everything back when its answer is written. A request that
 * would take the total past the budget while others hold part of it is answered 503
 * {@code insufficient-memory} with {@code Retry-After}; a request alone may use more (the heap's
 * own limit then stands).
 */
public final class RequestMemory {

    private final long budget;
    private final AtomicLong used = new AtomicLong();

    public RequestMemory(long budget) {
        if (budget <= 0) {
            throw new IllegalArgumentException("budget must be positive");
        }
        this.budget = budget;
    }

    public long budget() {
        return budget;
    }

    /** Bytes charged to requests in flight now. */
    public long used() {
        return used.get();
    }

    /** A new request's account. */
    public Lease open() {
        return new Lease();
    }

    /** One request's charge; closing it gives the bytes back (once, from whichever thread closes it first). */
    public final class Lease implements AutoCloseable {

        private long held;
        private boolean closed;
        private Runnable whenClosed;

        /** Charges {@code bytes} more to this request, or refuses them. */
        public synchronized void charge(long bytes) {
            if (bytes <= 0) {
                return;
            }
            while (true) {
                long now = used.get();
                long others = now - held;
                if (others > 0 && now + bytes > budget) {
                    throw new PlugboardException(ProblemType.INSUFFICIENT_MEMORY, "Requests in flight hold "
                            + (others >> 20) + " MiB of the " + (budget >> 20) + " MiB request budget "
                            + "(plugboard.limits.request-memory); this one needs more. Retry shortly.",
                            Map.of("budgetBytes", budget));
                }
                if (used.compareAndSet(now, now + bytes)) {
                    held += bytes;
                    return;
                }
            }
        }

        public synchronized long held() {
            return held;
        }

        /** Runs {@code action} when the lease closes (at once if it has), in place of any given before. */
        public void whenClosed(Runnable action) {
            synchronized (this) {
                if (!closed) {
                    whenClosed = action;
                    return;
                }
            }
            action.run();
        }

        @Override
        public void close() {
            Runnable action;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                used.addAndGet(-held);
                held = 0;
                action = whenClosed;
                whenClosed = null;
            }
            if (action != null) {
                action.run();
            }
        }
    }
}
