package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Bounded queues answer 429 at once, timeouts 504, and dynamic batching merges real requests. */
class AdmissionTest extends ServerTest {

    private static String images(int n) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < n * 3 * 64 * 64; i++) {
            data.append(i == 0 ? "" : ",").append(i % 7);
        }
        return "{\"inputs\":[{\"name\":\"image\",\"shape\":[" + n + ",3,64,64],\"datatype\":\"FP32\",\"data\":[" + data + "]}]";
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        assertThat(http.upload(Map.of("name", "tight", "queueCapacity", "1", "instances", "1"),
                List.of(Http.Part.of(onnx("cnn")))).status()).isEqualTo(201);
        String body = images(16) + "}";
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                replies.add(pool.submit(() -> http.postJson("/v1/models/tight/infer", body)));
            }
            int ok = 0;
            int full = 0;
            for (Future<Http.Reply> f : replies) {
                Http.Reply r = f.get();
                if (r.status() == 200) {
                    ok++;
                } else {
                    assertThat(r.status()).as(r.toString()).isEqualTo(429);
                    assertThat(r.problemType()).endsWith("/queue-full");
                    assertThat(r.header("Retry-After")).isEqualTo("1");
                    full++;
                }
            }
            assertThat(ok).isPositive();
            assertThat(full).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(http.get("/actuator/prometheus").body())
                .contains("plugboard_inference_rejections_total{", "reason=\"queue-full\"");
        http.delete("/v1/models/tight");
    }

    @Test
    void aRequestPastItsTimeoutAnswers504() {
        assertThat(http.upload("slow", onnx("cnn")).status()).isEqualTo(201);
        Http.Reply reply = http.postJson("/v1/models/slow/infer", images(64) + ",\"parameters\":{\"timeout_ms\":1}}");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(504);
        assertThat(reply.problemType()).endsWith("/timeout");
        // one 504, counted once: wherever the wait ran out (the caller or the queue)
        assertThat(counter("plugboard_inference_rejections_total", "slow", "reason=\"timeout\"")).isEqualTo(1.0);
        Http.Reply fine = http.postJson("/v1/models/slow/infer", images(1) + ",\"parameters\":{\"timeout\":60000000}}");
        assertThat(fine.status()).isEqualTo(200);
        http.delete("/v1/models/slow");
    }

    private double counter(String name, String model, String label) {
        return http.get("/actuator/prometheus").body().lines()
                .filter(l -> l.startsWith(name + "{") && l.contains("model=\"" + model + "\"") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void dynamicBatchingMergesConcurrentRequestsAndSplitsTheirRows() throws Exception {
        assertThat(http.upload(Map.of("name", "batched", "instances", "1", "maxBatchSize", "16", "maxQueueDelayMs", "200"),
                List.of(Http.Part.of(onnx("add_mul")))).status()).isEqualTo(201);
        assertThat(http.get("/v1/models/batched").json().get("settings").get("maxBatchSize").asInt()).isEqualTo(16);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int k = t;
                results.add(pool.submit(() -> {
                    String body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[" + k + "," + k
                            + "," + k + "]},{\"name\":\"b\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}";
                    JsonNode out = http.postJson("/v1/models/batched/infer", body).json().get("outputs");
                    return out.get(0).get("data").toString().equals("[" + (k + 1.0) + "," + (k + 2.0) + "," + (k + 3.0) + "]")
                            && out.get(0).get("shape").toString().equals("[1,3]");
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        String metrics = http.get("/actuator/prometheus").body();
        double batches = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("plugboard_batch_size_count{") && line.contains("model=\"batched\"")) {
                batches += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        // warm-up does not go through the pool: 8 requests ran in fewer executions
        assertThat(batches).isGreaterThan(0).isLessThan(8);
        http.delete("/v1/models/batched");
    }
}
