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

    private final InferenceGateway gateway;
    private final JsonRequestDecoder decoder;
    private final JsonResponseEncoder encoder;
    private final long maxRequestBytes;

    public InferenceExchange(InferenceGateway gateway, JsonRequestDecoder decoder, JsonResponseEncoder encoder,
            long maxRequestBytes) {
        this.gateway = gateway;
        this.decoder = decoder;
        this.encoder = encoder;
        this.maxRequestBytes = maxRequestBytes;
    }

    public void handle(String id, Integer version, HttpServletRequest request, HttpServletResponse response,
            String protocol) throws IOException {
        gateway.requireReady(id, version);
        long length = request.getContentLengthLong();
        if (length > maxRequestBytes) {
            throw tooLarge();
        }
        long maxElements = (length > 0 ? length : maxRequestBytes) / 2 + 1;
        String headerLength = request.getHeader(HEADER_LENGTH);
        DecodedRequest decoded;
        Map<String, io.plugboard.tensor.Tensor> binaryInputs = Map.of();
        try (InputStream body = new LimitedInputStream(request.getInputStream(), maxRequestBytes, this::tooLarge)) {
            if (headerLength == null) {
                if (isOctetStream(request)) {
                    throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "A binary request needs the "
                            + HEADER_LENGTH + " header giving the length of its JSON part.");
                }
                decoded = decoder.decodeJsonOnly(body, maxElements);
            } else {
                long jsonLength = parseLength(headerLength, length);
                byte[] json = body.readNBytes((int) jsonLength);
                if (json.length != jsonLength) {
                    throw new PlugboardException(ProblemType.MALFORMED_REQUEST, "The body is shorter than "
                            + HEADER_LENGTH + " says.");
                }
                decoded = decoder.decodeHeader(new ByteArrayInputStream(json), maxElements);
                binaryInputs = BinaryTensors.readInputs(body, decoded.binaryInputs(),
                        length >= 0 ? length - jsonLength : -1);
            }
        }
        InferenceResult result = gateway.infer(id, version, decoded.request(binaryInputs), protocol);
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
