package io.plugboard.api;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/models/{id}/infer}: Open Inference Protocol (KServe V2) tensors as JSON. */
@RestController
@Tag(name = "Inference", description = "Run a model")
public class InferenceController {

    /** The inference URL patterns, shared with {@link InferenceHandlerMapping}. */
    static final String INFER = "/v1/models/{id}/infer";
    static final String INFER_VERSION = "/v1/models/{id}/versions/{version}/infer";

    private final InferenceExchange exchange;

    public InferenceController(InferenceExchange exchange) {
        this.exchange = exchange;
    }

    @Operation(summary = "Run inference",
            description = "Open Inference Protocol (KServe V2) JSON. data is row-major, flat or nested. "
                    + "Non-finite floats travel as the strings \"NaN\", \"Infinity\", \"-Infinity\". "
                    + "parameters.timeout is in microseconds (as Triton), parameters.timeout_ms in milliseconds. The binary "
                    + "tensor data extension is accepted too (application/octet-stream with Inference-Header-Content-Length); "
                    + "/versions/{version}/infer pins a version, the plain URL runs the newest READY one.",
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
    @PostMapping(path = {INFER, INFER_VERSION},
            consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE},
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
    public void infer(@PathVariable("id") String id, @PathVariable(name = "version", required = false) Integer version,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        exchange.handle(id, version, request, response, "v1");
    }
}
