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
                case "onnx", "keras-h5", "keras-v3" -> assertThat(f.get("backend").asString()).isEqualTo("onnxruntime");
                case "torchscript" -> assertThat(f.get("backend").asString()).isEqualTo("pytorch");
                case "tf-savedmodel", "tf-graphdef" -> assertThat(f.get("backend").asString()).isEqualTo("tensorflow");
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

    /**
     * The README's format table says, for every format id, what GET /v1/formats says: served (its
     * "served by" cell names an engine) or not ("—" or "never …").
     */
    @Test
    void theReadmeFormatTableAgreesWithGetFormats() throws java.io.IOException {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        String table = readme.substring(readme.indexOf("<a id=\"formats\"></a>"));
        table = table.substring(0, table.indexOf("\n\n", table.indexOf("| format")));
        java.util.Map<String, Boolean> readmeServed = new java.util.TreeMap<>();
        for (String row : table.split("\n")) {
            String[] cells = row.split("\\|");
            if (cells.length < 5 || !row.startsWith("| ") || row.startsWith("| format") || row.startsWith("|---")) {
                continue;
            }
            String servedBy = cells[3].strip();
            boolean served = !servedBy.startsWith("—") && !servedBy.startsWith("never");
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("`([a-z0-9-]+)`").matcher(cells[1]);
            while (id.find()) {
                readmeServed.put(id.group(1), served);
            }
        }
        java.util.Map<String, Boolean> apiServed = new java.util.TreeMap<>();
        for (JsonNode f : http.get("/v1/formats").json().get("formats")) {
            apiServed.put(f.get("id").asString(), f.get("served").asBoolean());
        }
        assertThat(readmeServed).as("README rows by format id").isEqualTo(apiServed);
    }
}
