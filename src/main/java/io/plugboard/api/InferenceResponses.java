package io.plugboard.api;

import io.plugboard.api.codec.BinaryTensors;
import io.plugboard.api.codec.DecodedRequest;
import io.plugboard.api.codec.JsonResponseEncoder;
import io.plugboard.inference.InferenceResult;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an inference answer: the outputs in JSON or, for outputs asked so, the binary tensor data
 * extension; or, for a request answered after its handler returned (see {@link InferenceExchange}),
 * its failure as the exception handlers would have: a problem+json body for {@code /v1}, the
 * protocol's {@code {"error": "..."}} for {@code /v2}, with the same status and headers.
 */
public final class InferenceResponses {

    private static final Logger log = LoggerFactory.getLogger(InferenceResponses.class);

    private final JsonResponseEncoder encoder;
    private final ProblemWriter problems;

    public InferenceResponses(JsonResponseEncoder encoder, JsonMapper json) {
        this.encoder = encoder;
        this.problems = new ProblemWriter(json);
    }

    void result(DecodedRequest decoded, InferenceResult result, HttpServletResponse response) throws IOException {
        Set<String> binary = decoded.binaryOutputs(result.outputs().keySet());
        response.setStatus(200);
        if (binary.isEmpty()) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            try (OutputStream out = response.getOutputStream()) {
                encoder.encode(result, out);
            }
            return;
        }
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        encoder.encode(result, header, binary);
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setHeader(InferenceExchange.HEADER_LENGTH, Integer.toString(header.size()));
        try (OutputStream out = response.getOutputStream()) {
            header.writeTo(out);
            BinaryTensors.writeOutputs(result.outputs(), binary, out);
        }
    }

    /** The failure of a request whose handler has returned; {@code protocol} is "v1" or "v2". */
    void failure(String protocol, Throwable failure, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        PlugboardException problem = failure instanceof PlugboardException p ? p
                : failure instanceof OutOfMemoryError
                        ? new PlugboardException(ProblemType.INSUFFICIENT_MEMORY, ProblemResponses.OUT_OF_MEMORY)
                        : null;
        ProblemType type = problem != null ? problem.type() : ProblemType.INTERNAL_ERROR;
        String detail = problem != null ? problem.getMessage() : ProblemResponses.UNEXPECTED;
        if (problem == null) {
            log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), failure);
        } else {
            ProblemResponses.logged(log, problem, request);
        }
        if ("v2".equals(protocol)) {
            problems.writeV2(response, type, detail);
        } else {
            problems.write(request, response, type, detail, problem != null ? problem.properties() : Map.of());
        }
    }
}
