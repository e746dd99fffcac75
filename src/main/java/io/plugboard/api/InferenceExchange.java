package io.plugboard.api;

import io.plugboard.api.codec.BinaryTensors;
import io.plugboard.api.codec.DecodedRequest;
import io.plugboard.api.codec.JsonRequestDecoder;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.model.InferenceGateway;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.Tensor;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.MediaType;

/**
 * One HTTP inference exchange, shared by {@code /v1} and {@code /v2}: only the error format
 * differs between them. Reads Open Inference Protocol JSON, or the binary tensor data extension
 * ({@code Inference-Header-Content-Length}: a JSON header followed by raw tensor bytes), runs the
 * model through the common path, and answers in JSON or, for outputs asked so, binary.
 *
 * <p>A request whose model is idle runs on its own thread and is answered there. Otherwise it is
 * queued and the request goes asynchronous: no thread waits for it. The thread that completes the
 * call (the engine's, or the deadline timer's at the timeout) writes the answer when its outputs
 * are at most {@link #LARGE_ANSWER_BYTES}; a larger answer is written from one of the server's
 * request threads, so that a client slow to read never holds an engine thread. (Tomcat does not
 * notice a client that closes its connection while its request is queued: the call still runs,
 * within its timeout, and its answer is dropped.)
 */
public final class InferenceExchange implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceExchange.class);

    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    /** The logging context's key for the request id, as the request's own thread has it. */
    private static final String REQUEST_ID_KEY = "requestId";
    /** Bodies up to this size are decoded on the request's own thread; larger ones on {@link DecodeThreads}. */
    static final long INLINE_BYTES = 64 << 10;
    /**
     * Queued answers with at most this many bytes of outputs are written by the thread that ran the
     * call: even as JSON (up to about 25 KB) they fit the socket's buffers, so the write does not
     * wait for the client.
     */
    static final long LARGE_ANSWER_BYTES = 4 << 10;
    /** What a JSON body byte may decode to: an element of two characters ({@code 1,}) becomes up to 8 bytes. */
    private static final int JSON_BYTES_PER_BYTE = 4;

    private final InferenceGateway gateway;
    private final JsonRequestDecoder decoder;
    private final InferenceResponses responses;
    private final long maxRequestBytes;
    private final RequestMemory memory;
    private final DecodeThreads decodeThreads;
    /** Virtual threads for requests whose bodies are still arriving. */
    private final ExecutorService slowBodies = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("plugboard-body-", 0).factory());

    public InferenceExchange(InferenceGateway gateway, JsonRequestDecoder decoder, InferenceResponses responses,
            long maxRequestBytes, RequestMemory memory, DecodeThreads decodeThreads) {
        this.gateway = gateway;
        this.decoder = decoder;
        this.responses = responses;
        this.maxRequestBytes = maxRequestBytes;
        this.memory = memory;
        this.decodeThreads = decodeThreads;
    }

    /** A decoded request: its JSON part and the tensors of its binary part. */
    private record Read(DecodedRequest decoded, Map<String, io.plugboard.tensor.Tensor> binaryInputs) {
    }

    public void handle(String id, Integer version, HttpServletRequest request, HttpServletResponse response,
            String protocol) throws IOException {
        gateway.requireReady(id, version);
        long length = request.getContentLengthLong();
        if (length > maxRequestBytes) {
            throw tooLarge();
        }
        InputStream source = request.getInputStream();
        if (request.isAsyncSupported()) {
            byte[] arrived = length == 0 ? new byte[0]
                    : length > 0 && length <= INLINE_BYTES ? arrived(source, (int) length) : null;
            if (arrived == null || arrived.length < length) {
                InputStream rest = arrived == null ? source
                        : new SequenceInputStream(new ByteArrayInputStream(arrived), source);
                AsyncContext async = request.startAsync(request, response);
                async.setTimeout(0); // reads are bounded by the connection timeout, calls by their own
                try {
                    slowBodies.execute(() -> handleArriving(id, version, async, rest, protocol));
                } catch (RejectedExecutionException e) { // shutting down
                    async.complete();
                }
                return;
            }
            source = new ByteArrayInputStream(arrived);
        }
        InputStream body = source;
        RequestMemory.Lease lease = memory.open();
        boolean handedOver = false;
        try {
            Read read = length >= 0 && length <= INLINE_BYTES ? read(request, body, length, lease, false)
                    : decodeThreads.run(() -> read(request, body, length, lease, false));
            InferenceRequest inference = read.decoded().request(read.binaryInputs());
            if (!request.isAsyncSupported()) {
                responses.result(read.decoded(), gateway.infer(id, version, inference, protocol), response);
                return;
            }
            CompletableFuture<InferenceResult> answer = gateway.inferHereOrLater(id, version, inference, protocol,
                    gateway.nanoTime());
            if (answer.isDone()) { // ran here, or failed at once (expired before it was queued)
                responses.result(read.decoded(), now(answer), response);
                return;
            }
            handedOver = true;
            answerLater(request.startAsync(request, response), read.decoded(), protocol, lease, answer);
        } finally {
            if (!handedOver) {
                lease.close();
            }
        }
    }

    /**
     * The body's first bytes, read only as far as the server holds them already, so that this
     * cannot wait for the client: the whole body when it came with the headers, as a small
     * request's usually does.
     */
    private static byte[] arrived(InputStream source, int length) throws IOException {
        byte[] body = new byte[length];
        int read = 0;
        while (read < length && source.available() > 0) {
            int n = source.read(body, read, length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read == length ? body : Arrays.copyOf(body, read);
    }

    /**
     * A request whose body is still arriving, on a virtual thread of its own: a client sending it
     * slowly holds no request thread (nor a decoding thread: the body is read in full first). Then
     * as {@link #handle}, answering failures itself, since the exception handlers have returned.
     */
    private void handleArriving(String id, Integer version, AsyncContext async, InputStream source, String protocol) {
        HttpServletRequest request = (HttpServletRequest) async.getRequest();
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        RequestMemory.Lease lease = memory.open();
        boolean handedOver = false;
        Object requestId = request.getAttribute(ProblemWriter.REQUEST_ID);
        if (requestId != null) {
            MDC.put(REQUEST_ID_KEY, requestId.toString());
        }
        try {
            byte[] body;
            try (InputStream in = new ChargedInputStream(new LimitedInputStream(source, maxRequestBytes,
                    this::tooLarge), lease, charge(request))) {
                body = in.readAllBytes();
            }
            Read read = body.length <= INLINE_BYTES ? read(request, new ByteArrayInputStream(body), body.length, lease, true)
                    : decodeThreads.run(() -> read(request, new ByteArrayInputStream(body), body.length, lease, true));
            CompletableFuture<InferenceResult> answer = gateway.inferHereOrLater(id, version,
                    read.decoded().request(read.binaryInputs()), protocol, gateway.nanoTime());
            handedOver = true;
            answerLater(async, read.decoded(), protocol, lease, answer);
        } catch (IOException e) { // the client broke off while sending
            log.debug("A request body broke off: {}", e.toString());
            complete(async);
        } catch (RuntimeException | Error e) {
            try {
                responses.failure(protocol, e, request, response);
            } catch (IOException | RuntimeException unwritten) {
                log.debug("A failure could not be written: {}", unwritten.toString());
            } finally {
                complete(async);
            }
        } finally {
            MDC.remove(REQUEST_ID_KEY);
            if (!handedOver) {
                lease.close();
            }
        }
    }

    /** Answers once {@code answer} completes, ending the asynchronous exchange. */
    private void answerLater(AsyncContext async, DecodedRequest decoded, String protocol, RequestMemory.Lease lease,
            CompletableFuture<InferenceResult> answer) {
        async.setTimeout(0); // the gateway ends the call at its timeout
        async.addListener(new ClientGone(answer));
        answer.whenComplete((result, failure) -> answerLater(async, decoded, protocol, lease, result, failure));
    }

    /** A completed answer, or its failure thrown as such, for the exception handlers. */
    private static InferenceResult now(CompletableFuture<InferenceResult> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Writes a queued request's answer on the thread that completed it, or on a request thread when
     * its outputs are large; then ends the exchange and releases its memory.
     */
    private void answerLater(AsyncContext async, DecodedRequest decoded, String protocol, RequestMemory.Lease lease,
            InferenceResult result, Throwable failure) {
        if (failure instanceof CancellationException || failure instanceof CompletionException
                && failure.getCause() instanceof CancellationException) {
            lease.close(); // the client went away: the exchange is over already
            return;
        }
        Runnable write = () -> {
            try (lease) {
                Object requestId = async.getRequest().getAttribute(ProblemWriter.REQUEST_ID);
                if (requestId != null) {
                    MDC.put(REQUEST_ID_KEY, requestId.toString()); // this thread's log lines carry the request's id
                }
                HttpServletResponse response = (HttpServletResponse) async.getResponse();
                if (failure == null) {
                    responses.result(decoded, result, response);
                } else {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    responses.failure(protocol, cause, (HttpServletRequest) async.getRequest(), response);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("A queued answer could not be written: {}", e.toString());
            } finally {
                MDC.remove(REQUEST_ID_KEY);
                complete(async);
            }
        };
        if (failure == null && Tensor.byteSize(result.outputs().values()) > LARGE_ANSWER_BYTES) {
            async.start(write);
        } else {
            write.run();
        }
    }

    private static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (IllegalStateException e) { // ended already: the connection failed meanwhile
            log.debug("A queued exchange had ended already: {}", e.toString());
        }
    }

    /**
     * Ends an exchange the container reports failed (an I/O error) or timed out, abandoning its
     * queued call, rather than letting the container dispatch it to an error page.
     */
    private record ClientGone(CompletableFuture<InferenceResult> answer) implements AsyncListener {

        @Override
        public void onError(AsyncEvent event) {
            end(event);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            end(event);
        }

        private void end(AsyncEvent event) {
            answer.cancel(false);
            complete(event.getAsyncContext());
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }

    /** What a body byte is charged: what it may decode to, for JSON; itself, for binary tensor data. */
    private static int charge(HttpServletRequest request) {
        return request.getHeader(HEADER_LENGTH) == null ? JSON_BYTES_PER_BYTE : 1;
    }

    /**
     * Decodes the body read from {@code source}, as the request's headers describe it; a body
     * already {@code charged} (read into memory first) is not charged again.
     */
    private Read read(HttpServletRequest request, InputStream source, long length, RequestMemory.Lease lease,
            boolean charged) throws IOException {
        long maxElements = (length > 0 ? length : maxRequestBytes) / 2 + 1;
        String headerLength = request.getHeader(HEADER_LENGTH);
        InputStream limited = new LimitedInputStream(source, maxRequestBytes, this::tooLarge);
        try (InputStream body = charged ? limited : new ChargedInputStream(limited, lease, charge(request))) {
            if (headerLength == null) {
                if (isOctetStream(request)) {
                    throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "A binary request needs the "
                            + HEADER_LENGTH + " header giving the length of its JSON part.");
                }
                return new Read(decoder.decodeJsonOnly(body, maxElements), Map.of());
            }
            long jsonLength = parseLength(headerLength, length);
            byte[] json = body.readNBytes((int) jsonLength);
            if (json.length != jsonLength) {
                throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The body is shorter than "
                        + HEADER_LENGTH + " says.");
            }
            lease.charge(jsonLength * (JSON_BYTES_PER_BYTE - 1));
            DecodedRequest decoded = decoder.decodeHeader(new ByteArrayInputStream(json), maxElements);
            return new Read(decoded, BinaryTensors.readInputs(body, decoded.binaryInputs(),
                    length >= 0 ? length - jsonLength : -1));
        }
    }

    private static boolean isOctetStream(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase().startsWith(MediaType.APPLICATION_OCTET_STREAM_VALUE);
    }

    private long parseLength(String header, long bodyLength) {
        long value;
        try {
            value = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, HEADER_LENGTH + " must be a number.");
        }
        if (value <= 0 || value > maxRequestBytes || (bodyLength >= 0 && value > bodyLength)) {
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, HEADER_LENGTH + " " + value
                    + " does not fit the body (" + bodyLength + " bytes).");
        }
        return value;
    }

    private PlugboardException tooLarge() {
        return new PlugboardException(ProblemType.PAYLOAD_TOO_LARGE, "The request exceeds the limit of "
                + maxRequestBytes + " bytes (plugboard.inference.max-request-size).", Map.of("limitBytes", maxRequestBytes));
    }

    @Override
    public void close() {
        slowBodies.shutdownNow();
    }
}
