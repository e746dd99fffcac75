package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** Size limits answer 413 and leave stored models alone. */
@TestPropertySource(properties = {"plugboard.upload.max-size=256KB", "plugboard.inference.max-request-size=2KB",
        "plugboard.archive.max-expanded-size=1MB", "plugboard.archive.max-entries=50"})
class LimitsTest extends ServerTest {

    @Test
    void uploadOverTheLimitIs413AndStoresNothing() {
        assertThat(http.upload("small", onnx("add_mul")).status()).isEqualTo(201);
        Http.Reply big = http.upload(Map.of("name", "big"), List.of(new Http.Part("big.onnx", new byte[300 * 1024])));
        assertThat(big.status()).as(big.toString()).isEqualTo(413);
        assertThat(big.contentType()).startsWith("application/problem+json");
        assertThat(big.problemType()).endsWith("/payload-too-large");
        assertThat(http.get("/v1/models/big").status()).isEqualTo(404);
        assertThat(http.get("/v1/models/small").json().get("state").asString()).isEqualTo("READY");
    }

    @Test
    void archiveBombsAreStoppedAtTheExpansionLimit() throws Exception {
        byte[] pb = java.nio.file.Files.readAllBytes(MODELS.resolve("savedmodel/affine/saved_model.pb"));
        // 64 MB of zeros compress to about 64 KB
        Http.Reply bomb = http.upload(Map.of("name", "bomb"), List.of(new Http.Part("m.zip",
                DjlModelsTest.zip(Map.of("saved_model.pb", pb, "variables/variables.data-00000-of-00001", new byte[64 << 20])))));
        assertThat(bomb.status()).as(bomb.toString()).isEqualTo(413);
        assertThat(bomb.problemType()).endsWith("/archive-too-large");
        java.util.Map<String, byte[]> many = new java.util.HashMap<>();
        many.put("saved_model.pb", pb);
        for (int i = 0; i < 100; i++) {
            many.put("assets/f" + i, new byte[1]);
        }
        Http.Reply entries = http.upload(Map.of("name", "many"), List.of(new Http.Part("m.zip", DjlModelsTest.zip(many))));
        assertThat(entries.status()).as(entries.toString()).isEqualTo(413);
        assertThat(http.get("/v1/models/bomb").status()).isEqualTo(404);
        assertThat(http.get("/v1/models/many").status()).isEqualTo(404);
        try (var staged = java.nio.file.Files.list(STORE.resolve("staging"))) {
            assertThat(staged.filter(java.nio.file.Files::isDirectory).toList()).as("staging left behind").isEmpty();
        }
    }

    @Test
    void aCompressedBodyIsHeldToTheLimitAsItInflates() throws Exception {
        if (http.get("/v1/models/small3").status() == 404) {
            http.upload("small3", onnx("add_mul"));
        }
        // 1 MB of JSON whitespace gzips to about 1 KB: under the 2 KB limit sent, far over it inflated
        java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(packed)) {
            gzip.write("{\"inputs\":".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            gzip.write(" ".repeat(1 << 20).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(packed.size()).isLessThan(2048);
        for (String path : List.of("/v1/models/small3/infer", "/v2/models/small3/infer")) {
            Http.Reply bomb = http.post(path, "application/json", packed.toByteArray(),
                    Map.of("Content-Encoding", "gzip"));
            assertThat(bomb.status()).as(bomb.toString()).isEqualTo(413);
        }
        assertThat(http.get("/v1/models/small3").json().get("state").asString()).isEqualTo("READY");
    }

    @Test
    void inferenceRequestOverTheLimitIs413() {
        if (http.get("/v1/models/small2").status() == 404) {
            http.upload("small2", onnx("add_mul"));
        }
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            data.append(i == 0 ? "" : ",").append("1.0");
        }
        data.append("]");
        Http.Reply reply = http.postJson("/v1/models/small2/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1000],"
                + "\"datatype\":\"FP32\",\"data\":" + data + "}]}");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(413);
        assertThat(reply.problemType()).endsWith("/payload-too-large");
        Http.Reply ok = http.postJson("/v1/models/small2/infer", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3]},{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
        assertThat(ok.status()).isEqualTo(200);
    }

    @Test
    void uploadWithMorePartsThanTomcatAllowsIs413() {
        List<Http.Part> parts = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            parts.add(new Http.Part("f" + i + ".bin", new byte[1]));
        }
        Http.Reply reply = http.upload(Map.of("name", "parts"), parts);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(413);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.problemType()).endsWith("/payload-too-large");
        assertThat(http.get("/v1/models/parts").status()).isEqualTo(404);
    }
}
