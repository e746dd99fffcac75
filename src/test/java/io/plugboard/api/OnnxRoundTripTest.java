package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OnnxRoundTripTest extends ServerTest {

    @Test
    void uploadDescribeInferDelete() throws Exception {
        Http.Reply created = http.upload("round-trip", onnx("add_mul"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/v1/models/round-trip");
        JsonNode d = created.json();
        assertThat(d.get("id").asString()).isEqualTo("round-trip");
        assertThat(d.get("format").asString()).isEqualTo("onnx");
        assertThat(d.get("backend").asString()).isEqualTo("onnxruntime");
        assertThat(d.get("target").asString()).isEqualTo("cpu");
        assertThat(d.get("state").asString()).isEqualTo("READY");
        assertThat(d.get("sizeBytes").asLong()).isEqualTo(Files.size(onnx("add_mul")));
        assertThat(d.get("sha256").asString()).hasSize(64);
        assertThat(d.get("createdAt").asString()).isNotBlank();
        assertThat(d.get("inputs").toString())
                .isEqualTo("[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[-1,3]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[-1,3]}]");
        assertThat(d.get("outputs").toString()).contains("\"name\":\"sum\"", "\"name\":\"product\"");

        Http.Reply described = http.get("/v1/models/round-trip");
        assertThat(described.status()).isEqualTo(200);
        assertThat(described.json().get("sha256")).isEqualTo(d.get("sha256"));
        assertThat(http.get("/v1/models").json().get("models").toString()).contains("\"id\":\"round-trip\"");

        for (Cases.Case c : Cases.of(MODELS.resolve("onnx/add_mul.cases.json"))) {
            Http.Reply answer = http.postJson("/v1/models/round-trip/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(answer.json().get("model_name").asString()).isEqualTo("round-trip");
            assertThat(answer.json().get("model_version").asString()).isEqualTo("1");
            Cases.assertOutputs(answer.json(), c.outputs(), 0, 0);
        }

        Http.Reply deleted = http.delete("/v1/models/round-trip");
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(http.get("/v1/models/round-trip").status()).isEqualTo(404);
        assertThat(Files.exists(STORE.resolve("models/round-trip"))).isFalse();
        assertThat(http.postJson("/v1/models/round-trip/infer", "{\"inputs\":[]}").status()).isEqualTo(404);
    }

    @Test
    void mlpAndCnnExportedFromPyTorchMatchTheirReferenceOutputs() {
        for (String model : new String[] {"mlp", "cnn"}) {
            Http.Reply created = http.upload("ref-" + model, onnx(model));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            for (Cases.Case c : Cases.of(MODELS.resolve("onnx/" + model + ".cases.json"))) {
                Http.Reply answer = http.postJson("/v1/models/ref-" + model + "/infer", c.request());
                assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
                Cases.assertOutputs(answer.json(), c.outputs(), 1e-4, 1e-5);
            }
            assertThat(http.delete("/v1/models/ref-" + model).status()).isEqualTo(204);
        }
    }

    @Test
    void requestIdIsEchoedAndOutputsCanBeSelected() {
        http.upload("select", onnx("add_mul"));
        Http.Reply answer = http.postJson("/v1/models/select/infer", """
                {"id":"req-7","inputs":[
                  {"name":"a","shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5,6]]},
                  {"name":"b","shape":[2,3],"datatype":"FP32","data":[1,1,1,2,2,2]}],
                 "outputs":[{"name":"product"}]}
                """);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode json = answer.json();
        assertThat(json.get("id").asString()).isEqualTo("req-7");
        assertThat(json.get("outputs")).hasSize(1);
        assertThat(json.get("outputs").get(0).get("name").asString()).isEqualTo("product");
        assertThat(json.get("outputs").get(0).get("data").toString()).isEqualTo("[1.0,2.0,3.0,8.0,10.0,12.0]");
        http.delete("/v1/models/select");
    }

    @Test
    void nonFiniteFloatsTravelAsStrings() {
        http.upload("nonfinite", onnx("add_mul"));
        Http.Reply answer = http.postJson("/v1/models/nonfinite/infer", """
                {"inputs":[
                  {"name":"a","shape":[1,3],"datatype":"FP32","data":["NaN","Infinity","-Infinity"]},
                  {"name":"b","shape":[1,3],"datatype":"FP32","data":[1,1,1]}],
                 "outputs":[{"name":"sum"}]}
                """);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.json().get("outputs").get(0).get("data").toString())
                .isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]");
        http.delete("/v1/models/nonfinite");
    }

    @Test
    void everyCarriedDatatypeRoundTripsExactly() {
        Http.Reply created = http.upload("types", onnx("identity_types"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("inputs").toString()).contains("\"FP16\"", "\"BOOL\"", "\"BYTES\"", "\"INT64\"",
                "\"UINT8\"", "\"INT8\"", "\"INT16\"", "\"FP64\"");
        for (Cases.Case c : Cases.of(MODELS.resolve("onnx/identity_types.cases.json"))) {
            Http.Reply answer = http.postJson("/v1/models/types/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), 0, 0);
            // 64-bit integers beyond 2^53 survive exactly
            assertThat(answer.body()).contains("9007199254740993");
        }
        http.delete("/v1/models/types");
    }

    @Test
    void generatedIdComesFromTheFileName() {
        Http.Reply created = http.upload(null, onnx("add_mul"));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(id).matches("add_mul-[0-9a-f]{8}");
        assertThat(http.delete("/v1/models/" + id).status()).isEqualTo(204);
    }

    static Path model(String name) {
        return onnx(name);
    }
}
