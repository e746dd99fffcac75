package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Model versions: add, pin, retire, and a switch no client notices. */
class VersionsTest extends ServerTest {

    private static final String BODY = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]},"
            + "{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";

    private Http.Reply addVersion(String id, Http.Part part) {
        return http.uploadTo("/v1/models/" + id + "/versions", Map.of(), List.of(part));
    }

    @Test
    void versionsAreAddedPinnedRetiredAndDeleted() throws Exception {
        assertThat(http.upload("ver", onnx("add_mul")).status()).isEqualTo(201);
        Http.Reply v2 = addVersion("ver", Http.Part.of(onnx("add_mul")));
        assertThat(v2.status()).as(v2.toString()).isEqualTo(201);
        assertThat(v2.header("Location")).isEqualTo("/v1/models/ver/versions/2");
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertThat(http.get("/v1/models/ver").json().get("versions")).hasSize(2);
        assertThat(http.postJson("/v1/models/ver/infer", BODY).json().get("model_version").asString()).isEqualTo("2");
        assertThat(http.postJson("/v1/models/ver/versions/1/infer", BODY).json().get("model_version").asString()).isEqualTo("1");
        assertThat(http.get("/v1/models/ver/versions/1").json().get("version").asInt()).isEqualTo(1);

        // a version that fails to load never replaces a working one
        Http.Reply broken = addVersion("ver", new Http.Part("m.onnx", new byte[] {8, 1, 2, 3}));
        assertThat(broken.status()).isEqualTo(422);
        assertThat(http.postJson("/v1/models/ver/infer", BODY).json().get("model_version").asString()).isEqualTo("2");

        // retention keeps the newest two: version 3 retires version 1
        Http.Reply v3 = addVersion("ver", Http.Part.of(onnx("add_mul")));
        assertThat(v3.json().get("version").asInt()).isEqualTo(3);
        assertThat(http.get("/v1/models/ver/versions/1").status()).isEqualTo(404);
        assertThat(http.get("/v1/models/ver/versions/1").problemType()).endsWith("/version-not-found");
        assertThat(Files.exists(STORE.resolve("models/ver/1"))).isFalse();
        assertThat(http.postJson("/v1/models/ver/versions/1/infer", BODY).status()).isEqualTo(404);

        // deleting the serving version falls back to the previous one
        assertThat(http.delete("/v1/models/ver/versions/3").status()).isEqualTo(204);
        assertThat(http.postJson("/v1/models/ver/infer", BODY).json().get("model_version").asString()).isEqualTo("2");
        assertThat(http.get("/v2/models/ver").json().get("versions").toString()).isEqualTo("[\"2\"]");
        // deleting the last version deletes the model
        assertThat(http.delete("/v1/models/ver/versions/2").status()).isEqualTo(204);
        assertThat(http.get("/v1/models/ver").status()).isEqualTo(404);
        assertThat(addVersion("nope", Http.Part.of(onnx("add_mul"))).status()).isEqualTo(404);
    }

    @Test
    void switchingVersionsLosesNoRequest() throws Exception {
        assertThat(http.upload("switch", onnx("add_mul")).status()).isEqualTo(201);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread client = new Thread(() -> {
                while (!stop.get()) {
                    Http.Reply r = http.postJson("/v1/models/switch/infer", BODY);
                    if (r.status() != 200) {
                        failures.add(r.toString());
                    } else {
                        seen.add(r.json().get("model_version").asString());
                    }
                }
            });
            clients.add(client);
            client.start();
        }
        for (int i = 0; i < 3; i++) {
            Thread.sleep(150);
            assertThat(addVersion("switch", Http.Part.of(onnx("add_mul"))).status()).isEqualTo(201);
        }
        Thread.sleep(150);
        stop.set(true);
        for (Thread c : clients) {
            c.join();
        }
        assertThat(failures).isEmpty();
        assertThat(seen).contains("1", "4");
        assertThat(http.postJson("/v1/models/switch/infer", BODY).json().get("model_version").asString()).isEqualTo("4");
        http.delete("/v1/models/switch");
    }
}
