package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Cases;
import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SafeTensors weights replacing an ONNX graph's initializers, at upload and as a new version. */
class SafetensorsTest extends ServerTest {

    private static final Path DIR = MODELS.resolve("safetensors");

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    private void assertCases(String id, String cases) {
        for (Cases.Case c : Cases.of(DIR.resolve(cases))) {
            Http.Reply answer = http.postJson("/v1/models/" + id + "/infer", c.request());
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            Cases.assertOutputs(answer.json(), c.outputs(), 1e-6, 1e-6);
        }
    }

    /** weights.safetensors with its header naming 'W' twice, the second pointing at other bytes. */
    private Path nameGivenTwice() {
        try {
            byte[] file = java.nio.file.Files.readAllBytes(DIR.resolve("weights.safetensors"));
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int length = (int) in.getLong();
            String header = new String(file, 8, length, java.nio.charset.StandardCharsets.UTF_8);
            byte[] twice = header.replaceFirst("\\{", "{\"W\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[8,32]},")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 + twice.length + file.length - 8 - length)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            out.putLong(twice.length).put(twice).put(file, 8 + length, file.length - 8 - length);
            return java.nio.file.Files.write(tmp.resolve("weights.safetensors"), out.array());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void graphAndWeightsUploadedTogether() {
        Http.Reply created = http.upload(Map.of("name", "st-together"),
                List.of(Http.Part.of(DIR.resolve("affine.onnx")), Http.Part.of(DIR.resolve("weights.safetensors"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("format").asString()).isEqualTo("onnx");
        assertThat(created.json().get("files").toString()).contains("weights.safetensors");
        assertCases("st-together", "weights.cases.json");
        http.delete("/v1/models/st-together");
    }

    @Test
    void newWeightsAsANewVersionOfAnExistingModel() {
        assertThat(http.upload("st-versioned", DIR.resolve("affine.onnx")).status()).isEqualTo(201);
        assertCases("st-versioned", "affine.cases.json");
        Http.Reply v2 = http.uploadTo("/v1/models/st-versioned/versions", Map.of(),
                List.of(Http.Part.of(DIR.resolve("weights.safetensors"))));
        assertThat(v2.status()).as(v2.toString()).isEqualTo(201);
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertCases("st-versioned", "weights.cases.json");
        http.delete("/v1/models/st-versioned");
    }

    @Test
    void mismatchedWeightsAre422ListingEveryMismatch() {
        Http.Reply shape = http.upload(Map.of("name", "st-shape"),
                List.of(Http.Part.of(DIR.resolve("affine.onnx")), Http.Part.of(DIR.resolve("wrong_shape.safetensors"))));
        assertThat(shape.status()).as(shape.toString()).isEqualTo(422);
        assertThat(shape.json().get("mismatches").toString()).contains("'W' has shape [2, 3]");
        Http.Reply name = http.upload(Map.of("name", "st-name"),
                List.of(Http.Part.of(DIR.resolve("affine.onnx")), Http.Part.of(DIR.resolve("unknown_name.safetensors"))));
        assertThat(name.status()).isEqualTo(422);
        assertThat(name.json().get("detail").asString()).contains("'gamma'", "not an initializer");
        Http.Reply twice = http.upload(Map.of("name", "st-twice"),
                List.of(Http.Part.of(DIR.resolve("affine.onnx")), Http.Part.of(nameGivenTwice())));
        assertThat(twice.status()).as(twice.toString()).isEqualTo(422);
        assertThat(twice.json().get("detail").asString()).contains("weights.safetensors", "Duplicate", "\"W\"");
        assertThat(http.get("/v1/models/st-twice").status()).isEqualTo(404);
        Http.Reply alone = http.upload("st-alone", DIR.resolve("weights.safetensors"));
        assertThat(alone.status()).isEqualTo(415);
        assertThat(alone.json().get("format").asString()).isEqualTo("safetensors");
    }
}
