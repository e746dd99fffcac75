package io.plugboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.plugboard.support.Http;
import io.plugboard.support.ServerTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Triton's model configuration and statistics extensions over REST, read as Triton's clients read them. */
class TritonExtensionsTest extends ServerTest {

    private static String addMul(int rowsA, int rowsB) {
        return "{\"inputs\":[" + input("a", rowsA) + "," + input("b", rowsB) + "]}";
    }

    private static String input(String name, int rows) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < rows * 3; i++) {
            data.append(i == 0 ? "" : ",").append(i);
        }
        return "{\"name\":\"" + name + "\",\"shape\":[" + rows + ",3],\"datatype\":\"FP32\",\"data\":[" + data + "]}";
    }

    @Test
    void theConfigurationOfAModelThatDoesNotBatchGivesWholeShapes() {
        assertThat(http.upload("cfg-plain", onnx("add_mul")).status()).isEqualTo(201);
        Http.Reply reply = http.get("/v2/models/cfg-plain/config");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode config = reply.json();
        assertThat(config.get("name").asString()).isEqualTo("cfg-plain");
        assertThat(config.get("platform").asString()).isEqualTo("onnx_onnxv1");
        assertThat(config.get("backend").asString()).isEqualTo("onnxruntime");
        assertThat(config.get("max_batch_size").asInt()).isZero();
        assertThat(config.get("input").toString()).isEqualTo("[{\"name\":\"a\",\"data_type\":\"TYPE_FP32\",\"dims\":[-1,3]},"
                + "{\"name\":\"b\",\"data_type\":\"TYPE_FP32\",\"dims\":[-1,3]}]");
        assertThat(config.get("output").toString()).contains("{\"name\":\"sum\",\"data_type\":\"TYPE_FP32\",\"dims\":[-1,3]}");
        assertThat(config.get("instance_group").toString())
                .isEqualTo("[{\"name\":\"cfg-plain\",\"kind\":\"KIND_CPU\",\"count\":1,\"gpus\":[]}]");
        assertThat(config.has("dynamic_batching")).isFalse();
        assertThat(http.get("/v2/models/cfg-plain/versions/1/config").json()).isEqualTo(config);
    }

    @Test
    void theConfigurationOfABatchingModelLeavesTheBatchDimensionOut() {
        assertThat(http.upload(Map.of("name", "cfg-batched", "instances", "2", "maxBatchSize", "8", "maxQueueDelayMs", "5"),
                List.of(Http.Part.of(onnx("add_mul")))).status()).isEqualTo(201);
        JsonNode config = http.get("/v2/models/cfg-batched/config").json();
        assertThat(config.get("max_batch_size").asInt()).isEqualTo(8);
        assertThat(config.get("input").get(0).get("dims").toString()).isEqualTo("[3]");
        assertThat(config.get("output").get(1).get("dims").toString()).isEqualTo("[3]");
        assertThat(config.get("instance_group").get(0).get("count").asInt()).isEqualTo(2);
        assertThat(config.get("dynamic_batching").toString()).isEqualTo("{\"max_queue_delay_microseconds\":5000}");
    }

    @Test
    void anUnknownModelOrVersionOrOneNotLoadedHasNoConfiguration() {
        assertThat(http.upload("cfg-unloaded", onnx("add_mul")).status()).isEqualTo(201);
        Http.Reply unknown = http.get("/v2/models/cfg-nobody/config");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asString()).contains("cfg-nobody");
        assertThat(http.get("/v2/models/cfg-unloaded/versions/7/config").status()).isEqualTo(404);
        assertThat(http.postJson("/v2/repository/models/cfg-unloaded/unload", "").status()).isEqualTo(200);
        Http.Reply unloaded = http.get("/v2/models/cfg-unloaded/config");
        assertThat(unloaded.status()).isEqualTo(503);
        assertThat(unloaded.json().get("error").asString()).contains("UNLOADED");
        assertThat(http.get("/v2/models/cfg-unloaded/stats").json().get("model_stats").size()).isZero();
        assertThat(http.get("/v2/models/cfg-unloaded/versions/1/stats").status()).isEqualTo(503);
    }

    @Test
    void statisticsCountWhatEachVersionAnswered() {
        long before = System.currentTimeMillis();
        assertThat(http.upload("stats-model", onnx("add_mul")).status()).isEqualTo(201);
        JsonNode fresh = http.get("/v2/models/stats-model/stats").json().get("model_stats");
        assertThat(fresh.size()).isEqualTo(1);
        assertThat(fresh.get(0).get("inference_count").asLong()).as("warm-up calls are not counted").isZero();
        assertThat(fresh.get(0).get("last_inference").asLong()).isZero();

        for (int i = 0; i < 3; i++) {
            assertThat(http.postJson("/v2/models/stats-model/infer", addMul(2, 2)).status()).isEqualTo(200);
        }
        Http.Reply failed = http.postJson("/v2/models/stats-model/infer", addMul(2, 4));
        assertThat(failed.status()).as(failed.body()).isEqualTo(422);

        JsonNode stats = http.get("/v2/models/stats-model/stats").json().get("model_stats");
        assertThat(stats.size()).isEqualTo(1);
        JsonNode s = stats.get(0);
        assertThat(s.get("name").asString()).isEqualTo("stats-model");
        assertThat(s.get("version").asString()).isEqualTo("1");
        assertThat(s.get("last_inference").asLong()).isBetween(before, System.currentTimeMillis());
        assertThat(s.get("execution_count").asLong()).isEqualTo(4);
        assertThat(s.get("inference_count").asLong()).as("one inference per request: the model does not batch")
                .isEqualTo(4);
        JsonNode inference = s.get("inference_stats");
        assertThat(inference.get("success").get("count").asLong()).isEqualTo(3);
        assertThat(inference.get("success").get("ns").asLong()).isPositive();
        assertThat(inference.get("fail").get("count").asLong()).isEqualTo(1);
        assertThat(inference.get("queue").get("count").asLong()).isEqualTo(4);
        assertThat(inference.get("compute_infer").get("count").asLong()).isEqualTo(4);
        assertThat(inference.get("compute_infer").get("ns").asLong()).as(s.toString()).isPositive()
                .isLessThanOrEqualTo(inference.get("success").get("ns").asLong()
                        + inference.get("fail").get("ns").asLong());
        assertThat(inference.get("cache_hit").toString()).isEqualTo("{\"count\":0,\"ns\":0}");
        assertThat(s.get("batch_stats").size()).isEqualTo(1);
        assertThat(s.get("batch_stats").get(0).get("batch_size").asLong()).isEqualTo(1);
        assertThat(s.get("batch_stats").get(0).get("compute_infer").get("count").asLong()).isEqualTo(4);

        assertThat(http.get("/v2/models/stats-model/versions/1/stats").json().get("model_stats").get(0).get("version")
                .asString()).isEqualTo("1");
        JsonNode all = http.get("/v2/models/stats").json().get("model_stats");
        assertThat(all.findValuesAsString("name")).contains("stats-model");
        assertThat(http.get("/v2/models/stats-model/versions/2/stats").status()).isEqualTo(404);
        assertThat(http.get("/v2/models/stats-nobody/stats").status()).isEqualTo(404);
    }

    @Test
    void loadAndUnloadTakeTritonClientsBodiesAndRefuseAConfigurationOrFiles() {
        assertThat(http.upload("repo-params", onnx("add_mul")).status()).isEqualTo(201);
        Http.Reply config = http.postJson("/v2/repository/models/repo-params/load",
                "{\"parameters\":{\"config\":\"{}\",\"file:1/model.onnx\":\"AAAA\"}}");
        assertThat(config.status()).isEqualTo(400);
        assertThat(config.json().get("error").asString()).contains("config, file:1/model.onnx", "POST /v1/models");
        assertThat(http.postJson("/v2/repository/models/repo-params/unload",
                "{\"parameters\":{\"unload_dependents\":\"yes\"}}").status()).isEqualTo(400);
        assertThat(http.postJson("/v2/repository/models/repo-params/load", "[1]").status()).isEqualTo(400);
        Http.Reply huge = http.postJson("/v2/repository/models/repo-params/unload",
                "{\"parameters\":{\"unload_dependents\":false}}" + " ".repeat(5_000));
        assertThat(huge.status()).as("a body past 4096 bytes is not read further").isEqualTo(413);
        assertThat(http.get("/v2/models/repo-params/ready").status()).as("nothing refused changed it").isEqualTo(200);

        // as tritonclient sends them
        assertThat(http.postJson("/v2/repository/models/repo-params/unload",
                "{\"parameters\":{\"unload_dependents\":false}}").status()).isEqualTo(200);
        assertThat(http.get("/v2/models/repo-params/ready").status()).isEqualTo(400);
        assertThat(http.postJson("/v2/repository/models/repo-params/load", "{}").status()).isEqualTo(200);
        assertThat(http.get("/v2/models/repo-params/ready").status()).isEqualTo(200);
    }

    @Test
    void serverMetadataListsBothExtensions() {
        assertThat(http.get("/v2").json().get("extensions").toString()).contains("\"model_configuration\"",
                "\"statistics\"");
    }
}
