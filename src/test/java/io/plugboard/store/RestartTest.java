package io.plugboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.PlugboardApplication;
import io.plugboard.support.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A stopped and restarted server serves every stored model; crash leftovers never show up. */
class RestartTest {

    private static final Path ADD_MUL = Path.of("src/test/resources/models/onnx/add_mul.onnx");
    private static final String REQUEST = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
            + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[4,5,6]}],\"outputs\":[{\"name\":\"sum\"}]}";

    private static ConfigurableApplicationContext start(Path store) {
        return new SpringApplicationBuilder(PlugboardApplication.class)
                .run("--server.port=0", "--plugboard.store.path=" + store, "--spring.jmx.enabled=false");
    }

    private static Http http(ConfigurableApplicationContext context) {
        return new Http(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
    }

    @Test
    void restartRestoresModelsAndDropsCrashLeftovers(@TempDir Path store) throws Exception {
        String sha;
        try (ConfigurableApplicationContext first = start(store)) {
            Http http = http(first);
            Http.Reply created = http.upload("kept", ADD_MUL);
            assertThat(created.status()).isEqualTo(201);
            sha = created.json().get("sha256").asString();
            assertThat(http.upload("doomed", ADD_MUL).status()).isEqualTo(201);
            assertThat(http.delete("/v1/models/doomed").status()).isEqualTo(204);
        }
        // What a kill -9 leaves: a half-written staging upload, a model folder whose version never
        // got renamed into place, and a deletion interrupted in the trash.
        Path staging = Files.createDirectories(store.resolve("staging/3f1c/files"));
        Files.write(staging.resolve("half.onnx"), new byte[] {8, 7, 0x12});
        Files.createDirectories(store.resolve("models/half-made"));
        Files.createDirectories(store.resolve("trash/old-1234/1/files"));
        // and a model whose metadata was corrupted on disk: skipped, never fatal
        Files.createDirectories(store.resolve("models/corrupt/1/files"));
        Files.writeString(store.resolve("models/corrupt/1/model.json"), "{ not json");

        try (ConfigurableApplicationContext second = start(store)) {
            Http http = http(second);
            assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
            Http.Reply kept = http.get("/v1/models/kept");
            assertThat(kept.status()).isEqualTo(200);
            assertThat(kept.json().get("state").asString()).isEqualTo("READY");
            assertThat(kept.json().get("sha256").asString()).isEqualTo(sha);
            Http.Reply answer = http.postJson("/v1/models/kept/infer", REQUEST);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(answer.json().get("outputs").get(0).get("data").toString()).isEqualTo("[5.0,7.0,9.0]");
            assertThat(http.get("/v1/models/doomed").status()).isEqualTo(404);
            assertThat(http.get("/v1/models/half-made").status()).isEqualTo(404);
            assertThat(http.get("/v1/models").json().get("models")).hasSize(1);
        }
        assertThat(Files.exists(store.resolve("staging/3f1c"))).isFalse();
        assertThat(Files.exists(store.resolve("models/half-made"))).isFalse();
        assertThat(Files.exists(store.resolve("trash/old-1234"))).isFalse();
        assertThat(Files.exists(store.resolve("models/corrupt/1/model.json"))).as("user data is not deleted").isTrue();
    }

    @Test
    void storedModelThatNoLongerLoadsIsShownFailedAndOthersStillServe(@TempDir Path store) throws Exception {
        try (ConfigurableApplicationContext first = start(store)) {
            Http http = http(first);
            assertThat(http.upload("good", ADD_MUL).status()).isEqualTo(201);
            assertThat(http.upload("broken", ADD_MUL).status()).isEqualTo(201);
        }
        Files.write(store.resolve("models/broken/1/files/add_mul.onnx"), new byte[] {1, 2, 3});
        try (ConfigurableApplicationContext second = start(store)) {
            Http http = http(second);
            Http.Reply broken = http.get("/v1/models/broken");
            assertThat(broken.json().get("state").asString()).isEqualTo("FAILED");
            assertThat(broken.json().get("error").asString()).isNotBlank();
            Http.Reply refused = http.postJson("/v1/models/broken/infer", REQUEST);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.problemType()).endsWith("/model-not-ready");
            assertThat(http.postJson("/v1/models/good/infer", REQUEST).status()).isEqualTo(200);
            assertThat(http.delete("/v1/models/broken").status()).isEqualTo(204);
        }
    }

    @Test
    void aStoredFileChangedOnDiskIsNeverServed(@TempDir Path store) throws Exception {
        try (ConfigurableApplicationContext first = start(store)) {
            assertThat(http(first).upload("tampered", ADD_MUL).status()).isEqualTo(201);
        }
        // a valid model of the same format, put in place of the stored one
        Files.copy(Path.of("src/test/resources/models/onnx/mlp.onnx"),
                store.resolve("models/tampered/1/files/add_mul.onnx"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (ConfigurableApplicationContext second = start(store)) {
            Http http = http(second);
            Http.Reply tampered = http.get("/v1/models/tampered");
            assertThat(tampered.json().get("state").asString()).isEqualTo("FAILED");
            assertThat(tampered.json().get("error").asString()).contains("add_mul.onnx", "no longer matches");
            assertThat(http.postJson("/v1/models/tampered/infer", REQUEST).status()).isEqualTo(503);
            // an explicit load checks the files too
            assertThat(http.postJson("/v2/repository/models/tampered/load", "{}").status()).isEqualTo(422);
        }
    }

    @Test
    void aVersionWhoseLoadKilledTheServerIsQuarantinedUntilLoadedOnPurpose(@TempDir Path store) throws Exception {
        try (ConfigurableApplicationContext first = start(store)) {
            assertThat(http(first).upload("crashy", ADD_MUL).status()).isEqualTo(201);
            assertThat(http(first).upload("fine", ADD_MUL).status()).isEqualTo(201);
        }
        // what a process killed inside the engine's load leaves behind
        Files.createFile(store.resolve("models/crashy/1/loading"));
        try (ConfigurableApplicationContext second = start(store)) {
            Http http = http(second);
            assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
            Http.Reply crashy = http.get("/v1/models/crashy");
            assertThat(crashy.json().get("state").asString()).isEqualTo("FAILED");
            assertThat(crashy.json().get("error").asString()).contains("quarantined");
            assertThat(http.postJson("/v1/models/fine/infer", REQUEST).status()).isEqualTo(200);
            assertThat(http.postJson("/v2/repository/models/crashy/load", "{}").status()).isEqualTo(200);
            assertThat(http.postJson("/v1/models/crashy/infer", REQUEST).status()).isEqualTo(200);
        }
        assertThat(Files.exists(store.resolve("models/crashy/1/loading"))).as("cleared by a load that ended").isFalse();
    }
}
