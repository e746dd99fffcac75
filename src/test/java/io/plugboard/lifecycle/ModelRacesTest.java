package io.plugboard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Operations on one model id racing each other through the API: each pair ends in a state one of
 * the two orders would give, never a mix, and nothing on disk disagrees with what the API shows.
 */
class ModelRacesTest extends ServerTest {

    private static final String CNN_BODY = "{\"inputs\":[{\"name\":\"image\",\"shape\":[1,3,64,64],\"datatype\":\"FP32\","
            + "\"data\":[" + "0.5,".repeat(3 * 64 * 64 - 1) + "0.5]}]}";

    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final List<String> created = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        threads.shutdownNow();
        created.forEach(id -> http.delete("/v1/models/" + id));
    }

    private String model(String id) {
        created.add(id);
        Http.Reply reply = http.upload(id, onnx("cnn"));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        return id;
    }

    private Future<Http.Reply> async(Callable<Http.Reply> call) {
        return threads.submit(call);
    }

    private Http.Reply addVersion(String id, String instances) {
        return http.uploadTo("/v1/models/" + id + "/versions", Map.of("instances", instances),
                List.of(Http.Part.of(onnx("cnn"))));
    }

    @Test
    void aDeleteDuringAVersionUploadLeavesNoModelBehind() throws Exception {
        for (int round = 0; round < 3; round++) {
            String id = model("race-delete-" + round);
            Future<Http.Reply> upload = async(() -> addVersion(id, "4"));
            Thread.sleep(20L * round);
            Http.Reply delete = http.delete("/v1/models/" + id);
            Http.Reply added = upload.get(60, TimeUnit.SECONDS);
            assertThat(delete.status()).as(delete.toString()).isEqualTo(204);
            // either the version came first (201, then deleted with the model) or the delete did (404)
            assertThat(added.status()).as(added.toString()).isIn(201, 404);
            assertThat(http.get("/v1/models/" + id).status()).isEqualTo(404);
            assertThat(Files.exists(STORE.resolve("models").resolve(id))).as("files of " + id).isFalse();
        }
    }

    @Test
    void twoVersionUploadsAtOnceGetTwoNumbers() throws Exception {
        String id = model("race-versions");
        Future<Http.Reply> a = async(() -> addVersion(id, "2"));
        Future<Http.Reply> b = async(() -> addVersion(id, "2"));
        Http.Reply first = a.get(60, TimeUnit.SECONDS);
        Http.Reply second = b.get(60, TimeUnit.SECONDS);
        assertThat(List.of(first.status(), second.status())).containsExactly(201, 201);
        assertThat(List.of(first.json().get("version").asInt(), second.json().get("version").asInt()))
                .containsExactlyInAnyOrder(2, 3);
        // plugboard.store.keep-versions (2) retired version 1 once both were in
        List<Integer> versions = StreamSupport.stream(http.get("/v1/models/" + id).json().get("versions").spliterator(),
                false).map(v -> v.get("version").asInt()).toList();
        assertThat(versions).containsExactly(2, 3);
        assertThat(Files.list(STORE.resolve("models").resolve(id)).map(p -> p.getFileName().toString()).sorted())
                .containsExactly("2", "3");
    }

    @Test
    void anUnloadDuringInferenceDrainsThenALoadServesAgainWithLiveGauges() throws Exception {
        String id = model("race-unload");
        List<Future<Http.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(async(() -> http.postJson("/v2/models/" + id + "/infer", CNN_BODY)));
        }
        Thread.sleep(50);
        assertThat(http.postJson("/v2/repository/models/" + id + "/unload", "{}").status()).isEqualTo(200);
        for (Future<Http.Reply> call : calls) {
            Http.Reply reply = call.get(60, TimeUnit.SECONDS);
            // answered before the unload, or refused as not ready: never a server error
            assertThat(reply.status()).as(reply.toString()).isIn(200, 503);
        }
        assertThat(http.get("/v2/models/" + id + "/ready").status()).isNotEqualTo(200);
        assertThat(gaugeLines(id)).as("pool gauges of an unloaded model").isEmpty();
        assertThat(computeLines(id)).as("compute histogram of an unloaded version").isEmpty();

        assertThat(http.postJson("/v2/repository/models/" + id + "/load", "{}").status()).isEqualTo(200);
        assertThat(http.get("/v2/models/" + id + "/ready").status()).isEqualTo(200);
        assertThat(http.postJson("/v2/models/" + id + "/infer", CNN_BODY).status()).isEqualTo(200);
        // the engine call alone, per version, apart from queue time and the whole request
        assertThat(computeLines(id)).anyMatch(l -> l.startsWith("plugboard_inference_compute_seconds_bucket{")
                && l.contains("version=\"1\"") && l.contains("le=\"0.01\""));
        assertThat(gaugeLines(id)).as("pool gauges of the reloaded model")
                .anyMatch(l -> l.startsWith("plugboard_queue_depth{"))
                .anyMatch(l -> l.startsWith("plugboard_instances_busy{"))
                .allMatch(l -> l.endsWith(" 0.0"));
    }

    private List<String> computeLines(String id) {
        return http.get("/actuator/prometheus").body().lines()
                .filter(l -> l.startsWith("plugboard_inference_compute_seconds"))
                .filter(l -> l.contains("model=\"" + id + "\"")).toList();
    }

    private List<String> gaugeLines(String id) {
        return http.get("/actuator/prometheus").body().lines()
                .filter(l -> l.startsWith("plugboard_queue_depth{") || l.startsWith("plugboard_instances_busy{"))
                .filter(l -> l.contains("model=\"" + id + "\"")).toList();
    }
}
