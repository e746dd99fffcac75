package io.plugboard.config;

import io.plugboard.problem.ProblemType;
import io.plugboard.tensor.DataType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MapSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * Typed schemas for what the inference endpoints read and write by hand (the servlet streams them):
 * the Open Inference Protocol's request and response tensors, and one {@code Problem} schema
 * (RFC 9457) whose {@code type} lists every problem type URI. Every problem+json answer refers to it.
 * The upload form's optional fields get an empty example, so Swagger UI leaves them empty.
 */
final class OpenApiSchemas implements OpenApiCustomizer {

    static final String REQUEST = "InferenceRequest";
    static final String RESPONSE = "InferenceResponse";
    static final String PROBLEM = "Problem";
    /** The multipart upload form (named by {@code ModelController.UploadForm}'s {@code @Schema}). */
    static final String UPLOAD = "ModelUpload";

    @Override
    public void customise(OpenAPI api) {
        api.getComponents()
                .addSchemas("Parameters", new MapSchema().additionalProperties(new ObjectSchema())
                        .description("Protocol parameters: e.g. timeout (µs), timeout_ms, binary_data_output, "
                                + "binary_data_size, binary_data"))
                .addSchemas("InputTensor", tensor("An input tensor. With the binary extension, "
                        + "parameters.binary_data_size replaces data.", true))
                .addSchemas("OutputTensor", tensor("An output tensor (binary outputs carry "
                        + "parameters.binary_data_size instead of data).", false))
                .addSchemas("RequestedOutput", new ObjectSchema().addRequiredItem("name")
                        .addProperty("name", new StringSchema())
                        .addProperty("parameters", ref("Parameters")))
                .addSchemas(REQUEST, new ObjectSchema().description("Open Inference Protocol inference request")
                        .addRequiredItem("inputs")
                        .addProperty("id", new StringSchema().description("Echoed in the response"))
                        .addProperty("parameters", ref("Parameters"))
                        .addProperty("inputs", new ArraySchema().items(ref("InputTensor")))
                        .addProperty("outputs", new ArraySchema().items(ref("RequestedOutput"))
                                .description("Outputs to return; all when absent")))
                .addSchemas(RESPONSE, new ObjectSchema().description("Open Inference Protocol inference response")
                        .addProperty("model_name", new StringSchema())
                        .addProperty("model_version", new StringSchema())
                        .addProperty("id", new StringSchema())
                        .addProperty("parameters", ref("Parameters"))
                        .addProperty("outputs", new ArraySchema().items(ref("OutputTensor"))))
                .addSchemas(PROBLEM, problem());
        leaveOptionalFieldsEmpty(api.getComponents().getSchemas().get(UPLOAD));
        if (api.getPaths() == null) {
            return;
        }
        api.getPaths().forEach((path, item) -> {
            if (path.endsWith("/infer") && item.getPost() != null) {
                typeInference(item.getPost());
            }
            for (Operation operation : item.readOperations()) {
                referToProblem(operation);
            }
        });
    }

    /**
     * Swagger UI's "Try it out" fills each form field with a sample of its schema and sends it:
     * the first example, else a made-up value ({@code "string"}, {@code 0}), which would name every
     * model "string" and refuse the upload for format "string". An empty example makes the sample
     * empty, so an optional field carries a value only when the user types one (the server reads a
     * blank field as an absent one).
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void leaveOptionalFieldsEmpty(Schema form) {
        if (form == null || form.getProperties() == null) {
            return;
        }
        List<?> required = form.getRequired() != null ? form.getRequired() : List.of();
        ((Map<String, Schema>) form.getProperties()).forEach((name, field) -> {
            if (!required.contains(name)) {
                if ("integer".equals(field.getType()) || field.getTypes() != null && field.getTypes().contains("integer")) {
                    // a form field is text: a whole number, or empty for the default (so "" is a valid example)
                    field.setType("string");
                    field.setTypes(new java.util.LinkedHashSet<>(List.of("string")));
                    field.setFormat(null);
                    field.setPattern("^[0-9]*$");
                }
                field.setExamples(new ArrayList<>(List.of("")));
            }
        });
    }

    private static Schema<?> tensor(String description, boolean input) {
        ObjectSchema tensor = new ObjectSchema();
        tensor.description(description).addRequiredItem("name").addRequiredItem("datatype").addRequiredItem("shape");
        tensor.addProperty("name", new StringSchema());
        StringSchema datatype = new StringSchema();
        Arrays.stream(DataType.values()).map(DataType::name).forEach(datatype::addEnumItem);
        tensor.addProperty("datatype", datatype);
        tensor.addProperty("shape", new ArraySchema().items(new IntegerSchema().format("int64").minimum(
                java.math.BigDecimal.ZERO)));
        tensor.addProperty("parameters", ref("Parameters"));
        tensor.addProperty("data", new ArraySchema().items(new Schema<>().description("a number, boolean, string "
                + "or nested array")).description(input ? "Row-major elements, flat or nested"
                        : "Row-major elements, flat"));
        return tensor;
    }

    private static Schema<?> problem() {
        StringSchema type = new StringSchema();
        type.format("uri").description("Stable problem type; clients switch on it");
        Arrays.stream(ProblemType.values()).map(t -> t.uri().toString()).forEach(type::addEnumItem);
        return new ObjectSchema().description("RFC 9457 problem details (application/problem+json)")
                .addRequiredItem("type").addRequiredItem("title").addRequiredItem("status")
                .addProperty("type", type)
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema().format("uri-reference"))
                .addProperty("requestId", new StringSchema().description("The request's X-Request-Id"));
    }

    private static void typeInference(Operation post) {
        RequestBody body = post.getRequestBody() != null ? post.getRequestBody() : new RequestBody();
        Content content = body.getContent() != null ? body.getContent() : new Content();
        MediaType json = content.getOrDefault(org.springframework.http.MediaType.APPLICATION_JSON_VALUE, new MediaType());
        json.setSchema(ref(REQUEST));
        content.addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE, json);
        content.computeIfAbsent(org.springframework.http.MediaType.APPLICATION_OCTET_STREAM_VALUE, k -> new MediaType()
                .schema(new StringSchema().format("binary").description("Binary tensor data extension: the JSON "
                        + "header (Inference-Header-Content-Length bytes), then the inputs' bytes; with "
                        + "Inference-Header-Content-Length 0, a one-input model's input bytes alone")));
        post.setRequestBody(body.required(true).content(content));
        ApiResponse ok = post.getResponses().computeIfAbsent("200", k -> new ApiResponse().description("OK"));
        Content answer = ok.getContent() != null ? ok.getContent() : new Content();
        MediaType answerJson = answer.getOrDefault(org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                new MediaType());
        answerJson.setSchema(ref(RESPONSE));
        answer.addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE, answerJson);
        ok.setContent(answer);
    }

    private static void referToProblem(Operation operation) {
        if (operation.getResponses() == null) {
            return;
        }
        for (ApiResponse response : operation.getResponses().values()) {
            if (response.getContent() == null) {
                continue;
            }
            for (Map.Entry<String, MediaType> media : response.getContent().entrySet()) {
                if (media.getKey().equals("application/problem+json")) {
                    media.getValue().setSchema(ref(PROBLEM));
                }
            }
        }
    }

    private static Schema<?> ref(String name) {
        return new Schema<>().$ref("#/components/schemas/" + name);
    }
}
