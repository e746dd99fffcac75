package io.plugboard.api;

import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Platform threads that read and decode large inference bodies. Decoding is CPU work, so this
 * bounds how much of it runs at once however many connections send large bodies: one thread per
 * core and a queue per thread; past that a request gets 429 {@code queue-full} with
 * {@code Retry-After}. (With virtual request threads, it also keeps decoding off the few carrier
 * threads, which health probes and small requests need.)
 */
public final class DecodeThreads implements AutoCloseable {

    private final ThreadPoolExecutor pool;

    public DecodeThreads(int threads, int queued) {
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queued),
                r -> {
                    Thread t = new Thread(r, "plugboard-decode-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code work} on a decode thread and waits for it; its exceptions come back as they were. */
    public <T> T run(Callable<T> work) throws IOException {
        Future<T> future;
        try {
            future = pool.submit(work);
        } catch (RejectedExecutionException e) {
            throw new PlugboardException(ProblemType.QUEUE_FULL, "Too many large requests are being decoded "
                    + "at once; retry shortly.", Map.of());
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The request was interrupted while decoding.");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new UncheckedIOException(new IOException(cause));
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
