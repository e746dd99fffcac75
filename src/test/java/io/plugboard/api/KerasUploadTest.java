package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Keras models through the HTTP API: converted to ONNX at upload, served by ONNX Runtime, answering
 * what the independent numpy reference computed; refusals say what is missing.
 */
class KerasUploadTest extends ServerTest {

    private static final Path KERAS = MODELS.resolve("keras");

    @Test
    void aKerasH5ModelIsConvertedServedAndAnswersItsReference() throws IOException {
        assertServes("k2-conv2d", "k2_conv2d.h5", "keras-h5");
    }

    @Test
    void aKeras3ArchiveIsConvertedServedAndAnswersItsReference() throws IOException {
        assertServes("k3-functional", "k3_functional.keras", "keras-v3");
    }

    @Test
    void aWeightsOnlyFileSaysTheArchitectureIsMissing() {
        Http.Reply refused = http.upload("weights-only", KERAS.resolve("bad_weights_only.h5"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(415);
        assertThat(refused.problemType()).endsWith("/unsupported-format");
        assertThat(refused.json().get("detail").asString()).contains("model.save");
    }

    @Test
    void unsupportedLayersAreListedTogether() {
        Http.Reply refused = http.upload("lambda", KERAS.resolve("bad_lambda_custom.h5"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(415);
        assertThat(refused.json().get("layers").toString()).contains("Lambda");
        assertThat(http.get("/v1/models/lambda").status()).isEqualTo(404);
    }

    private void assertServes(String id, String file, String format) throws IOException {
        Http.Reply created = http.upload(id, KERAS.resolve(file));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo(format);
        assertThat(created.json().get("backend").asString()).isEqualTo("onnxruntime");
        JsonNode reference = Http.JSON.readTree(KERAS.resolve(file.substring(0, file.lastIndexOf('.')) + ".json")
                .toFile());
        StringBuilder request = new StringBuilder("{\"inputs\":[");
        Iterator<Map.Entry<String, JsonNode>> inputs = reference.get("inputs").properties().iterator();
        while (inputs.hasNext()) {
            Map.Entry<String, JsonNode> input = inputs.next();
            request.append("{\"name\":\"").append(input.getKey()).append("\",\"datatype\":\"FP32\",\"shape\":")
                    .append(input.getValue().get("shape")).append(",\"data\":").append(input.getValue().get("data"))
                    .append('}').append(inputs.hasNext() ? "," : "");
        }
        request.append("]}");
        Http.Reply answer = http.postJson("/v1/models/" + id + "/infer", request.toString());
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        for (Map.Entry<String, JsonNode> expected : reference.get("outputs").properties()) {
            JsonNode got = null;
            for (JsonNode o : answer.json().get("outputs")) {
                if (o.get("name").asString().equals(expected.getKey())) {
                    got = o;
                }
            }
            assertThat(got).as("output %s", expected.getKey()).isNotNull();
            assertThat(got.get("shape")).isEqualTo(expected.getValue().get("shape"));
            JsonNode want = expected.getValue().get("data");
            for (int i = 0; i < want.size(); i++) {
                double w = want.get(i).asDouble();
                assertThat(got.get("data").get(i).asDouble()).as("%s[%d]", expected.getKey(), i)
                        .isCloseTo(w, org.assertj.core.data.Offset.offset(1e-5 + 1e-4 * Math.abs(w)));
            }
        }
    }
}
