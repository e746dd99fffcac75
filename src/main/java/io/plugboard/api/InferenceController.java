package io.plugboard.api;

import io.plugboard.api.codec.JsonRequestDecoder;
import io.plugboard.api.codec.JsonResponseEncoder;
import io.plugboard.config.PlugboardProperties;
import io.plugboard.inference.InferenceRequest;
import io.plugboard.inference.InferenceResult;
import io.plugboard.model.InferenceGateway;
import io.plugboard.problem.PlugboardException;
import io.plugboard.problem.ProblemType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/models/{id}/infer}: Open Inference Protocol (KServe V2) tensors as JSON. */
@RestController
@Tag(name = "Inference", description = "Run a model")
public class InferenceController {

    private final InferenceGateway gateway;
    private final JsonRequestDecoder decoder;
    private final JsonResponseEncoder encoder;
    private final long maxRequestBytes;

    public InferenceController(InferenceGateway gateway, JsonRequestDecoder decoder, JsonResponseEncoder encoder,
            PlugboardProperties properties) {
        this.gateway = gateway;
        this.decoder = decoder;
        this.encoder = encoder;
        this.maxRequestBytes = properties.inference().maxRequestSize().toBytes();
    }

    @Operation(summary = "Run inference",
            description = "Open Inference Protocol (KServe V2) JSON. data is row-major, flat or nested. "
                    + "Non-finite floats travel as the strings \"NaN\", \"Infinity\", \"-Infinity\". "
                    + "parameters.timeout is in microseconds (as Triton), parameters.timeout_ms in milliseconds.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(value = ApiExamples.INFER_REQUEST))))
    @ApiResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            examples = @ExampleObject(value = ApiExamples.INFER_RESPONSE)))
    @ApiResponse(responseCode = "400", description = "Malformed request or tensor", content = @Content(
            mediaType = "application/problem+json", examples = @ExampleObject(value = ApiExamples.PROBLEM_400)))
    @ApiResponse(responseCode = "404", description = "Unknown model", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "413", description = "Request over plugboard.inference.max-request-size",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "422", description = "The engine rejected the inputs",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "429", description = "Queue full; retry after Retry-After",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "503", description = "Model not READY", content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(responseCode = "504", description = "Timed out", content = @Content(mediaType = "application/problem+json"))
    @PostMapping(path = "/v1/models/{id}/infer", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public void infer(@PathVariable("id") String id, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        gateway.signature(id);
        InferenceRequest decoded;
        try (InputStream body = limited(request)) {
            decoded = decoder.decode(body, maxElements(request));
        }
        InferenceResult result = gateway.infer(id, decoded, "v1");
        response.setStatus(200);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        try (OutputStream out = response.getOutputStream()) {
            encoder.encode(result, out);
        }
    }

    private InputStream limited(HttpServletRequest request) throws IOException {
        long length = request.getContentLengthLong();
        if (length > maxRequestBytes) {
            throw tooLarge();
        }
        return new LimitedInputStream(request.getInputStream(), maxRequestBytes, this::tooLarge);
    }

    private long maxElements(HttpServletRequest request) {
        long length = request.getContentLengthLong();
        long bytes = length > 0 ? length : maxRequestBytes;
        return bytes / 2 + 1;
    }

    private PlugboardException tooLarge() {
        return new PlugboardException(ProblemType.PAYLOAD_TOO_LARGE, "The request exceeds the limit of "
                + maxRequestBytes + " bytes (plugboard.inference.max-request-size).",
                Map.of("limitBytes", maxRequestBytes));
    }
}
