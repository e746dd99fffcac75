package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The OpenAPI document lists every endpoint, with examples where the API has them. */
class OpenApiTest extends ServerTest {

    @Test
    void everyEndpointIsDocumented() {
        Http.Reply docs = http.get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        JsonNode paths = docs.json().get("paths");
        for (String path : new String[] {"/v1/models", "/v1/models/{id}", "/v1/models/{id}/infer",
            "/v1/models/{id}/versions", "/v1/models/{id}/versions/{version}", "/v1/models/{id}/versions/{version}/infer",
            "/v1/formats", "/v1/hardware", "/v2", "/v2/health/live", "/v2/health/ready", "/v2/models/{name}",
            "/v2/models/{name}/ready", "/v2/models/{name}/infer", "/v2/repository/index",
            "/v2/repository/models/{name}/load", "/v2/repository/models/{name}/unload"}) {
            assertThat(paths.has(path)).as(path).isTrue();
        }
        JsonNode upload = paths.get("/v1/models").get("post");
        assertThat(upload.get("requestBody").toString()).contains("multipart/form-data", "ModelUpload");
        assertThat(docs.json().get("components").get("schemas").get("ModelUpload").get("properties").toString())
                .contains("\"file\"", "\"name\"", "\"target\"", "\"signatureName\"", "\"maxBatchSize\"");
        JsonNode form = docs.json().get("components").get("schemas").get("ModelUpload").get("properties");
        // "Try it out" fills a form field with its first example, else a made-up "string" or 0, and
        // sends it: every optional field's only example is empty
        assertThat(docs.json().get("components").get("schemas").get("ModelUpload").get("required").toString())
                .isEqualTo("[\"file\"]");
        form.properties().forEach(field -> {
            if (!field.getKey().equals("file")) {
                assertThat(field.getValue().has("example")).as(field.getKey()).isFalse();
                assertThat(field.getValue().path("examples").toString()).as(field.getKey()).isEqualTo("[\"\"]");
                // the empty example is valid for the field: form fields are text, numbers a digit pattern
                assertThat(field.getValue().path("type").toString()).as(field.getKey()).contains("string");
            }
        });
        assertThat(form.get("instances").get("pattern").asString()).isEqualTo("^[0-9]*$");
        assertThat(form.get("file").get("type").asString()).isEqualTo("array");
        assertThat(upload.get("responses").get("201").toString()).contains("example");
        assertThat(paths.get("/v1/models/{id}/infer").get("post").get("requestBody").toString()).contains("example");
        assertThat(http.get("/swagger-ui.html").status()).isIn(200, 302);
        assertThat(http.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }

    /**
     * The document is valid OpenAPI 3 (swagger-parser finds no error), the inference endpoints carry
     * typed request and response schemas, every problem+json answer refers to one Problem schema
     * listing every problem type, and documented status codes are the ones the server answers.
     */
    @Test
    void theDocumentParsesAndIsTyped() {
        String json = http.get("/v3/api-docs").body();
        var result = new io.swagger.v3.parser.OpenAPIV3Parser().readContents(json, null, null);
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        var api = result.getOpenAPI();
        assertThat(api.getInfo().getTitle()).isEqualTo("Plugboard");
        for (String path : List.of("/v1/models/{id}/infer", "/v2/models/{name}/infer",
                "/v2/models/{name}/versions/{version}/infer")) {
            var post = api.getPaths().get(path).getPost();
            assertThat(post.getRequestBody().getContent().get("application/json").getSchema().get$ref())
                    .as(path).endsWith("/InferenceRequest");
            assertThat(post.getResponses().get("200").getContent().get("application/json").getSchema().get$ref())
                    .as(path).endsWith("/InferenceResponse");
        }
        var schemas = api.getComponents().getSchemas();
        assertThat(schemas).containsKeys("InferenceRequest", "InferenceResponse", "InputTensor", "OutputTensor", "Problem");
        io.swagger.v3.oas.models.media.Schema<?> type = (io.swagger.v3.oas.models.media.Schema<?>) schemas.get("Problem")
                .getProperties().get("type");
        assertThat(type.getEnum().stream().map(String::valueOf).toList())
                .hasSize(io.plugboard.problem.ProblemType.values().length)
                .contains("https://plugboard.io/problems/store-unavailable");
        api.getPaths().forEach((path, item) -> item.readOperations().forEach(op -> op.getResponses().forEach(
                (code, response) -> {
                    if (response.getContent() != null && response.getContent().containsKey("application/problem+json")) {
                        assertThat(response.getContent().get("application/problem+json").getSchema().get$ref())
                                .as("%s %s", path, code).endsWith("/Problem");
                    }
                })));
        var deleteVersion = api.getPaths().get("/v1/models/{id}/versions/{version}").getDelete();
        assertThat(deleteVersion.getResponses()).containsKey("204").doesNotContainKey("200");
    }
}
