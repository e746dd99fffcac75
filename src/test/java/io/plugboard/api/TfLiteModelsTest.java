package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TFLite models through the HTTP API: reference outputs, and a truncated flatbuffer refused. */
class TfLiteModelsTest extends ServerTest {

    @Test
    void tfliteUploadInferAndRefusal() throws Exception {
        Http.Reply created = http.upload("arith", MODELS.resolve("tflite/arith.tflite"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo("tflite");
        assertThat(created.json().get("backend").asString()).isEqualTo("tflite");
        for (Cases.Case c : Cases.of(MODELS.resolve("tflite/arith.cases.json"))) {
            Http.Reply answer = http.postJson("/v1/models/arith/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), 0, 0);
        }
        http.delete("/v1/models/arith");
        byte[] face = java.nio.file.Files.readAllBytes(MODELS.resolve("tflite/face_detection_short_range.tflite"));
        Http.Reply truncated = http.upload(Map.of("name", "cut"), List.of(new Http.Part("m.tflite", Arrays.copyOf(face, 4096))));
        assertThat(truncated.status()).as(truncated.toString()).isEqualTo(422);
        assertThat(truncated.problemType()).endsWith("/model-load-failed");
        Http.Reply real = http.upload("face", MODELS.resolve("tflite/face_detection_short_range.tflite"));
        assertThat(real.status()).isEqualTo(201);
        assertThat(real.json().get("inputs").toString()).contains("[1,128,128,3]");
        http.delete("/v1/models/face");
    }
}
