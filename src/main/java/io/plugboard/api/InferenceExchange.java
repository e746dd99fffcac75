package io.plugboard.api;

import io.plugboard.api.codec.BinaryTensors;
import io.plugboard.api.codec.DecodedRequest;
import io.plugboard.api.codec.JsonRequestDecoder;
import io.plugboard.api.codec.JsonResponseEncoder;
import io.plugboard.inference.InferenceResult;
import io.plugboard.model.InferenceGateway;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;

/**
 * One HTTP inference exchange, shared by {@code /v1} and {@code /v2}: only the error format
 * differs between them. Reads Open Inference Protocol JSON, or the binary tensor data extension
 * ({@code Inference-Header-Content-Length}: a JSON header followed by raw tensor bytes), runs the
 * model through the common path, and answers in JSON or, for outputs asked so, binary.
 */
public final class InferenceExchange {

    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
    /** Bodies up to this size are decoded on the request's own thread; larger ones on {@link DecodeThreads}. */
    static final long INLINE_BYTES = 64 << 10;
    /** What a JSON body byte may decode to: an element of two characters ({@code 1,}) becomes up to 8 bytes. */
    private static final int JSON_BYTES_PER_BYTE = 4;

    private final InferenceGateway gateway;
    private final JsonRequestDecoder decoder;
    private final JsonResponseEncoder encoder;
    private final long maxRequestBytes;
    private final RequestMemory memory;
    private final DecodeThreads decodeThreads;

    public InferenceExchange(InferenceGateway gateway, JsonRequestDecoder decoder, JsonResponseEncoder encoder,
            long maxRequestBytes, RequestMemory memory, DecodeThreads decodeThreads) {
        this.gateway = gateway;
        this.decoder = decoder;
        this.encoder = encoder;
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
        try (RequestMemory.Lease lease = memory.open()) {
            Read read = length >= 0 && length <= INLINE_BYTES ? read(request, length, lease)
                    : decodeThreads.run(() -> read(request, length, lease));
            InferenceResult result = gateway.infer(id, version, read.decoded().request(read.binaryInputs()), protocol);
            respond(read.decoded(), result, response);
        }
    }

    private Read read(HttpServletRequest request, long length, RequestMemory.Lease lease) throws IOException {
        long maxElements = (length > 0 ? length : maxRequestBytes) / 2 + 1;
        String headerLength = request.getHeader(HEADER_LENGTH);
        int charge = headerLength == null ? JSON_BYTES_PER_BYTE : 1;
        try (InputStream body = new ChargedInputStream(new LimitedInputStream(request.getInputStream(), maxRequestBytes,
                this::tooLarge), lease, charge)) {
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

    private void respond(DecodedRequest decoded, InferenceResult result, HttpServletResponse response)
            throws IOException {
        Set<String> binary = decoded.binaryOutputs(result.outputs().keySet());
        response.setStatus(200);
        if (binary.isEmpty()) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            try (OutputStream out = response.getOutputStream()) {
                encoder.encode(result, out);
            }
            return;
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        encoder.encode(result, json, binary);
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setHeader(HEADER_LENGTH, Integer.toString(json.size()));
        try (OutputStream out = response.getOutputStream()) {
            json.writeTo(out);
            BinaryTensors.writeOutputs(result.outputs(), binary, out);
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
}
