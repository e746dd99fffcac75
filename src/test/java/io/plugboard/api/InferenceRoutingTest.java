package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inference requests routed by their own lookup keep the annotated mappings' answers and metrics. */
class InferenceRoutingTest extends ServerTest {

    private static final String BODY = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
            + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[4,5,6]}],\"outputs\":[{\"name\":\"sum\"}]}";

    @Test
    void everyInferenceUrlAnswersAndIsCountedUnderItsPattern() {
        assertThat(http.upload(Map.of("name", "routed"), List.of(Http.Part.of(onnx("add_mul")))).status()).isEqualTo(201);
        for (String path : List.of("/v1/models/routed/infer", "/v1/models/routed/versions/1/infer",
                "/v2/models/routed/infer", "/v2/models/routed/versions/1/infer")) {
            Http.Reply reply = http.postJson(path, BODY);
            assertThat(reply.status()).as(path + " " + reply).isEqualTo(200);
            assertThat(reply.json().get("outputs").get(0).get("data").toString()).isEqualTo("[5.0,7.0,9.0]");
        }
        Http.Reply badVersion = http.postJson("/v1/models/routed/versions/one/infer", BODY);
        assertThat(badVersion.status()).as(badVersion.toString()).isEqualTo(404); // names no version
        assertThat(badVersion.contentType()).startsWith("application/problem+json");
        Http.Reply v2Missing = http.postJson("/v2/models/nothing/infer", BODY);
        assertThat(v2Missing.status()).isEqualTo(404);
        assertThat(v2Missing.json().get("error").asString()).contains("nothing");
        String metrics = http.get("/actuator/prometheus").body();
        for (String uri : List.of("/v1/models/{id}/infer", "/v1/models/{id}/versions/{version}/infer",
                "/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer")) {
            assertThat(metrics).contains("http_server_requests_seconds_count{") .contains("uri=\"" + uri + "\"");
        }
        http.delete("/v1/models/routed");
    }
}
