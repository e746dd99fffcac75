package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.format.ModelFormat;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class FormatsTest extends ServerTest {

    @Test
    void theFormatTableReflectsThisBuild() {
        Http.Reply reply = http.get("/v1/formats");
        assertThat(reply.status()).isEqualTo(200);
        JsonNode formats = reply.json().get("formats");
        assertThat(formats).hasSize(ModelFormat.values().length);
        for (JsonNode f : formats) {
            switch (f.get("id").asString()) {
                case "onnx" -> assertThat(f.get("backend").asString()).isEqualTo("onnxruntime");
                case "torchscript" -> assertThat(f.get("backend").asString()).isEqualTo("pytorch");
                case "tf-savedmodel" -> assertThat(f.get("backend").asString()).isEqualTo("tensorflow");
                case "h2o-mojo" -> assertThat(f.get("backend").asString()).isEqualTo("h2o-genmodel");
                case "caffe", "darknet" -> assertThat(f.get("backend").asString()).isEqualTo("opencv-dnn");
                case "tflite" -> assertThat(f.get("backend").asString()).isEqualTo("tflite");
                case "mxnet" -> assertThat(f.get("backend").asString()).isEqualTo("mxnet");
                default -> {
                    assertThat(f.get("served").asBoolean()).as(f.toString()).isFalse();
                    assertThat(f.get("reason").asString()).as(f.toString()).isNotBlank();
                    assertThat(f.get("hint").asString()).as(f.toString()).isNotBlank();
                }
            }
        }
        assertThat(http.get("/v1/hardware").json().get("targets").toString()).contains("\"name\":\"cpu\"");
    }
}
