package io.plugboard.api;

import io.plugboard.api.codec.BinaryTensors;
import io.plugboard.api.codec.DecodedRequest;
import io.plugboard.api.codec.JsonRequestDecoder;
import io.plugboard.api.codec.RawBinaryRequest;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.model.InferenceGateway;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;

/**
 * One HTTP inference exchange, shared by {@code /v1} and {@code /v2}: only the error format
 * differs between them. Reads Open Inference Protocol JSON, or the binary tensor data extension
 * ({@code Inference-Header-Content-Length}: a JSON header followed by raw tensor bytes), runs the
 * model through the common path, and answers in JSON or, for outputs asked so, binary.
 *
 * <p>A request whose model is idle runs on its own thread and is answered there. Otherwise it is
 * queued and the request goes asynchronous: no thread waits for it, and {@link LaterAnswers}
 * answers it once its call completes. A body that has not fully arrived with the headers is read
 * on a virtual thread of its own, so a client sending slowly holds no request thread.
 */
public final class InferenceExchange implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InferenceExchange.class);

    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    /** Bodies up to this size are decoded on the request's own thread; larger ones on {@link DecodeThreads}. */
    static final long INLINE_BYTES = 64 << 10;
    /** What a JSON body byte may decode to: an element of two characters ({@code 1,}) becomes up to 8 bytes. */
    private static final int JSON_BYTES_PER_BYTE = 4;

    private final InferenceGateway gateway;
    private final JsonRequestDecoder decoder;
    private final InferenceResponses responses;
    private final LaterAnswers later;
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
        this.later = new LaterAnswers(responses);
        this.maxRequestBytes = maxRequestBytes;
        this.memory = memory;
        this.decodeThreads = decodeThreads;
    }

    /** A decoded request: its JSON part and the tensors of its binary part. */
    private record Read(DecodedRequest decoded, Map<String, io.plugboard.tensor.Tensor> binaryInputs) {
    }

    public void handle(String id, Integer version, HttpServletRequest request, HttpServletResponse response,
            String protocol) throws IOException {
        InferenceGateway.Inputs inputs = gateway.requireReady(id, version);
        long length = request.getContentLengthLong();
        if (length > maxRequestBytes) {
            throw tooLarge();
        }
        InputStream source = request.getInputStream();
        byte[] whole = null; // the body, when it is all in memory
        if (request.isAsyncSupported()) {
            byte[] arrived = length == 0 ? new byte[0]
                    : length > 0 && length <= INLINE_BYTES ? arrived(source, (int) length) : null;
            if (arrived == null || arrived.length < length) {
                InputStream rest = arrived == null ? source
                        : new SequenceInputStream(new ByteArrayInputStream(arrived), source);
                AsyncContext async = request.startAsync(request, response);
                async.setTimeout(0); // reads are bounded by the connection timeout, calls by their own
                try {
                    slowBodies.execute(() -> ProblemWriter.loggingAs(async.getRequest(),
                            () -> handleArriving(id, version, inputs, async, rest, protocol)));
                } catch (RejectedExecutionException e) { // shutting down
                    LaterAnswers.end(async);
                }
                return;
            }
            source = new ByteArrayInputStream(arrived);
            whole = arrived;
        }
        InputStream body = source;
        byte[] inMemory = whole;
        RequestMemory.Lease lease = memory.open();
        boolean handedOver = false;
        try {
            Read read = length >= 0 && length <= INLINE_BYTES && !ContentEncodings.compressed(request)
                    ? read(request, inputs, body, inMemory, length, lease, false)
                    : decodeThreads.run(() -> read(request, inputs, body, inMemory, length, lease, false));
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
            later.when(request.startAsync(request, response), read.decoded(), protocol, lease, answer);
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
    private void handleArriving(String id, Integer version, InferenceGateway.Inputs inputs, AsyncContext async,
            InputStream source, String protocol) {
        HttpServletRequest request = (HttpServletRequest) async.getRequest();
        RequestMemory.Lease lease = memory.open();
        boolean handedOver = false;
        try {
            byte[] body = readWhole(request, source, lease);
            Read read = body.length <= INLINE_BYTES && !ContentEncodings.compressed(request)
                    ? read(request, inputs, new ByteArrayInputStream(body), body, body.length, lease, true)
                    : decodeThreads.run(() -> read(request, inputs, new ByteArrayInputStream(body), body, body.length,
                            lease, true));
            CompletableFuture<InferenceResult> answer = gateway.inferHereOrLater(id, version,
                    read.decoded().request(read.binaryInputs()), protocol, gateway.nanoTime());
            handedOver = true;
            later.when(async, read.decoded(), protocol, lease, answer);
        } catch (IOException e) { // the client broke off while sending
            log.debug("A request body broke off: {}", e.toString());
            LaterAnswers.end(async);
        } catch (RuntimeException | Error e) {
            later.failed(async, protocol, e);
        } finally {
            if (!handedOver) {
                lease.close();
            }
        }
    }

    /**
     * A body still arriving, read into memory. A declared length is charged before the body is
     * read and its buffer is allocated at once, at that size (no growing copies); a chunked body is
     * charged as it arrives, up to the request size limit.
     */
    private byte[] readWhole(HttpServletRequest request, InputStream source, RequestMemory.Lease lease)
            throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > 0 && declared <= Integer.MAX_VALUE - 8) {
            lease.charge(declared * charge(request));
            byte[] body = new byte[(int) declared];
            if (source.readNBytes(body, 0, body.length) < body.length) {
                throw new EOFException("The body ended before its Content-Length.");
            }
            return body;
        }
        try (InputStream in = new ChargedInputStream(new LimitedInputStream(source, maxRequestBytes,
                this::tooLarge), lease, charge(request))) {
            return in.readAllBytes();
        }
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

    /** What a body byte is charged: what it may decode to, for JSON; itself, for binary tensor data. */
    private static int charge(HttpServletRequest request) {
        return request.getHeader(HEADER_LENGTH) == null ? JSON_BYTES_PER_BYTE : 1;
    }

    /**
     * Decodes the body read from {@code sent}, as the request's headers describe it; a body
     * already {@code charged} (read into memory first) is not charged again. {@code whole} is the
     * body when it is all in memory (then JSON is decoded from its bytes, the faster way), or null.
     * {@code inputs} are what the model takes, for a raw binary request.
     */
    private Read read(HttpServletRequest request, InferenceGateway.Inputs inputs, InputStream sent, byte[] whole,
            long sentLength, RequestMemory.Lease lease, boolean sentCharged) throws IOException {
        InputStream source = ContentEncodings.decoded(request, sent);
        boolean inflated = source != sent; // its length is known only once read, and charged as it is
        long length = inflated ? -1 : sentLength;
        boolean charged = sentCharged && !inflated;
        long maxElements = (length > 0 ? length : maxRequestBytes) / 2 + 1;
        String headerLength = request.getHeader(HEADER_LENGTH);
        if (headerLength == null && whole != null && !inflated) {
            if (!charged) {
                lease.charge((long) whole.length * JSON_BYTES_PER_BYTE);
            }
            return json(request, () -> decoder.decodeJsonOnly(whole, maxElements));
        }
        InputStream limited = new LimitedInputStream(source, maxRequestBytes, this::tooLarge);
        try (InputStream body = charged ? limited : new ChargedInputStream(limited, lease, charge(request))) {
            if (headerLength == null) { // JSON, whatever its Content-Type (some clients label every body octet-stream)
                return json(request, () -> decoder.decodeJsonOnly(body, maxElements));
            }
            long jsonLength = parseLength(headerLength, length);
            if (jsonLength == 0) {
                return raw(inputs, body, length, lease);
            }
            byte[] json = body.readNBytes((int) jsonLength);
            if (json.length != jsonLength) {
                throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The body is shorter than "
                        + HEADER_LENGTH + " says.");
            }
            lease.charge(jsonLength * (JSON_BYTES_PER_BYTE - 1));
            DecodedRequest decoded = decoder.decodeHeader(json, maxElements);
            return new Read(decoded, BinaryTensors.readInputs(body, decoded.binaryInputs(),
                    length >= 0 ? length - jsonLength : -1));
        }
    }

    /**
     * Triton's raw binary request: the body is the model's one input, its shape told from the
     * body's length ({@link RawBinaryRequest}). A body of unknown length (chunked or compressed) is
     * read first; its copy is charged too.
     */
    private static Read raw(InferenceGateway.Inputs inputs, InputStream body, long length, RequestMemory.Lease lease)
            throws IOException {
        InputStream bytes = body;
        long size = length;
        if (size < 0) {
            byte[] all = body.readAllBytes();
            lease.charge(all.length);
            bytes = new ByteArrayInputStream(all);
            size = all.length;
        }
        DecodedRequest.BinaryInput input = RawBinaryRequest.input(inputs.specs(), inputs.batching(), size);
        if (input.datatype() == io.plugboard.tensor.DataType.BYTES) { // the one element, after its length
            byte[] prefix = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) Math.min(size, Integer.MAX_VALUE)).array();
            bytes = new SequenceInputStream(new ByteArrayInputStream(prefix), bytes);
        }
        return new Read(RawBinaryRequest.request(input), BinaryTensors.readInputs(bytes, List.of(input), input.size()));
    }

    /** A body decoded as JSON alone; a refusal of one labelled octet-stream says what binary data needs. */
    private static Read json(HttpServletRequest request, Supplier<DecodedRequest> decode) {
        try {
            return new Read(decode.get(), Map.of());
        } catch (PlugboardException e) {
            if (e.type() != ProblemType.MALFORMED_REQUEST || !isOctetStream(request)) {
                throw e;
            }
            throw new PlugboardException(ProblemType.MALFORMED_REQUEST, e.getMessage() + " A body with binary "
                    + "tensor data needs the " + HEADER_LENGTH + " header giving the length of its JSON part.",
                    e.properties());
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
        if (value < 0 || value > maxRequestBytes || (bodyLength >= 0 && value > bodyLength)) {
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
