package io.plugboard.api;

import io.plugboard.api.codec.DecodedRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.tensor.Tensor;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers inference requests that went asynchronous, after their handler returned: a queued
 * request once its call completes, or a failure found on another thread. The thread that completes
 * a call (the engine's, or the deadline timer's at the timeout) writes the answer when its outputs
 * are at most {@link #LARGE_ANSWER_BYTES}; a larger answer is written from one of the server's
 * request threads, so that a client slow to read never holds an engine thread. Each answer ends its
 * exchange and releases its request memory. (Tomcat does not notice a client that closes its
 * connection while its request is queued: the call still runs, within its timeout, and its answer
 * is dropped.)
 */
final class LaterAnswers {

    private static final Logger log = LoggerFactory.getLogger(LaterAnswers.class);

    /**
     * Queued answers with at most this many bytes of outputs are written by the thread that ran the
     * call: even as JSON (up to about 25 KB) they fit the socket's buffers, so the write does not
     * wait for the client.
     */
    static final long LARGE_ANSWER_BYTES = 4 << 10;

    private final InferenceResponses responses;

    LaterAnswers(InferenceResponses responses) {
        this.responses = responses;
    }

    /** Answers once {@code answer} completes; the lease is released then. */
    void when(AsyncContext async, DecodedRequest decoded, String protocol, RequestMemory.Lease lease,
            CompletableFuture<InferenceResult> answer) {
        async.setTimeout(0); // the gateway ends the call at its timeout
        async.addListener(new ClientGone(answer));
        answer.whenComplete((result, failure) -> answer(async, decoded, protocol, lease, result, failure));
    }

    /** Writes {@code failure} as the exception handlers would have, and ends the exchange. */
    void failed(AsyncContext async, String protocol, Throwable failure) {
        try {
            responses.failure(protocol, failure, (HttpServletRequest) async.getRequest(),
                    (HttpServletResponse) async.getResponse());
        } catch (IOException | RuntimeException unwritten) {
            log.debug("A failure could not be written: {}", unwritten.toString());
        } finally {
            end(async);
        }
    }

    private void answer(AsyncContext async, DecodedRequest decoded, String protocol, RequestMemory.Lease lease,
            InferenceResult result, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof CancellationException) {
            lease.close(); // the exchange ended already (the container reported it failed)
            return;
        }
        Runnable write = () -> ProblemWriter.loggingAs(async.getRequest(), () -> {
            try (lease) {
                if (cause == null) {
                    responses.result(decoded, result, (HttpServletResponse) async.getResponse());
                } else {
                    responses.failure(protocol, cause, (HttpServletRequest) async.getRequest(),
                            (HttpServletResponse) async.getResponse());
                }
            } catch (IOException | RuntimeException e) {
                log.debug("A queued answer could not be written: {}", e.toString());
            } finally {
                end(async);
            }
        });
        if (cause == null && Tensor.byteSize(result.outputs().values()) > LARGE_ANSWER_BYTES) {
            async.start(write);
        } else {
            write.run();
        }
    }

    /** Ends an exchange, unless the container has ended it already (its connection failed). */
    static void end(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException e) {
            log.debug("An asynchronous exchange had ended already: {}", e.toString());
        }
    }

    /**
     * Ends an exchange the container reports failed (an I/O error), abandoning its queued call,
     * rather than letting the container dispatch it to an error page. (Exchanges here have no
     * container timeout: the gateway ends each call at its own.)
     */
    private record ClientGone(CompletableFuture<InferenceResult> answer) implements QuietAsyncListener {

        @Override
        public void onError(AsyncEvent event) {
            answer.cancel(false);
            end(event.getAsyncContext());
        }
    }
}
