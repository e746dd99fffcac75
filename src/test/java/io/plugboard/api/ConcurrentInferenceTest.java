package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Many clients at once on one model each get their own correct answer. */
class ConcurrentInferenceTest extends ServerTest {

    @Test
    void concurrentClientsGetTheirOwnOutputs() throws Exception {
        Http.Reply created = http.upload(Map.of("name", "concurrent", "instances", "3", "queueCapacity", "256"),
                List.of(Http.Part.of(onnx("add_mul"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 25; i++) {
                        int rows = 1 + random.nextInt(4);
                        float[] a = new float[rows * 3];
                        float[] b = new float[rows * 3];
                        for (int k = 0; k < a.length; k++) {
                            a[k] = random.nextInt(1000) / 8f;
                            b[k] = random.nextInt(1000) / 8f;
                        }
                        String body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[" + rows + ",3],\"datatype\":\"FP32\",\"data\":"
                                + java.util.Arrays.toString(a) + "},{\"name\":\"b\",\"shape\":[" + rows
                                + ",3],\"datatype\":\"FP32\",\"data\":" + java.util.Arrays.toString(b) + "}]}";
                        Http.Reply reply = http.postJson("/v1/models/concurrent/infer", body);
                        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
                        JsonNode outputs = reply.json().get("outputs");
                        JsonNode sum = outputs.get(0).get("data");
                        JsonNode product = outputs.get(1).get("data");
                        assertThat(outputs.get(0).get("shape").toString()).isEqualTo("[" + rows + ",3]");
                        for (int k = 0; k < a.length; k++) {
                            assertThat(sum.get(k).floatValue()).isEqualTo(a[k] + b[k]);
                            assertThat(product.get(k).floatValue()).isEqualTo(a[k] * b[k]);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(); // rethrows the first failed check of that client
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(http.get("/actuator/prometheus").body())
                .contains("plugboard_inference_requests_total{", "model=\"concurrent\"", "outcome=\"success\"")
                .contains("plugboard_inference_duration_seconds_bucket{");
        http.delete("/v1/models/concurrent");
    }
}
